package pluginarchive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

// tfile describes one entry of a test archive. Folders are names ending
// with "/" unless typeflag or mode say otherwise.
type tfile struct {
	name     string
	body     string
	mode     fs.FileMode // zip: passed to SetMode when non-zero
	typeflag byte        // tar: overrides the type when non-zero
	linkname string      // tar: for links
	pax      map[string]string
	// tar only: edits the entry's raw 512-byte header after writing, for
	// headers archive/tar refuses to write. The checksum is fixed after.
	patch func(hdr []byte)
	// zip only: write the entry raw with these header fields.
	flags  uint16
	method uint16
}

// goodSetupPHP is a realistic setup.php for the plugin key "foo".
const goodSetupPHP = `<?php
define('PLUGIN_FOO_VERSION', '1.2.3');
// Minimal GLPI version, inclusive
define("PLUGIN_FOO_MIN_GLPI", "10.0.0");
define('PLUGIN_FOO_MAX_GLPI', '10.0.99');
function plugin_version_foo() {
   return [
      'name'           => 'Foo reports',
      'version'        => PLUGIN_FOO_VERSION,
      'author'         => '<a href="https://example.com">Example</a>',
      'license'        => 'GPLv3+',
      'homepage'       => 'https://github.com/example/foo',
      'requirements'   => [
         'glpi' => [
            'min' => PLUGIN_FOO_MIN_GLPI,
            'max' => PLUGIN_FOO_MAX_GLPI,
         ],
         'php' => ['min' => '7.4']
      ]
   ];
}
`

// goodFiles is a small valid plugin "foo".
func goodFiles() []tfile {
	return []tfile{
		{name: "foo/"},
		{name: "foo/setup.php", body: goodSetupPHP},
		{name: "foo/hook.php", body: "<?php\nfunction plugin_foo_install() { return true; }\n"},
		{name: "foo/inc/"},
		{name: "foo/inc/report.class.php", body: "<?php\nclass PluginFooReport extends CommonDBTM {}\n"},
		{name: "foo/locales/"},
		{name: "foo/locales/fr_FR.po", body: strings.Repeat("msgid \"Report\"\nmsgstr \"Rapport\"\n", 50)},
	}
}

// with returns goodFiles plus extra entries.
func with(extra ...tfile) []tfile { return append(goodFiles(), extra...) }

// nopCloser makes a do-nothing zip compressor, registered under an
// unsupported method number to build archives using that method.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func buildZip(t testing.TB, files []tfile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(99, func(w io.Writer) (io.WriteCloser, error) { return nopCloser{w}, nil })
	for _, f := range files {
		fh := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		if strings.HasSuffix(f.name, "/") {
			fh.Method = zip.Store
		}
		if f.mode != 0 {
			fh.SetMode(f.mode)
		}
		if f.method != 0 {
			fh.Method = f.method
		}
		fh.Flags = f.flags
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatalf("zip entry %q: %v", f.name, err)
		}
		if _, err := io.WriteString(w, f.body); err != nil {
			t.Fatalf("zip entry %q: %v", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func buildTar(t testing.TB, files []tfile) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg,
			Linkname: f.linkname, PAXRecords: f.pax}
		if strings.HasSuffix(f.name, "/") {
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		}
		if f.typeflag != 0 {
			hdr.Typeflag = f.typeflag
		}
		if hdr.Typeflag != tar.TypeReg {
			hdr.Size = 0
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			hdr = &tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: f.pax}
		}

		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("tar entry %q: %v", f.name, err)
		}
		if _, err := io.WriteString(tw, f.body[:hdr.Size]); err != nil {
			t.Fatalf("tar entry %q: %v", f.name, err)
		}
		if f.patch != nil {
			// The entry's own header is the last block written by
			// WriteHeader (PAX records come before it).
			if err := tw.Flush(); err != nil {
				t.Fatal(err)
			}
			end := buf.Len() - int(blockPad(hdr.Size)) - int(hdr.Size)
			patchTarHeader(buf.Bytes()[end-512:end], f.patch)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bzip2Bytes compresses with the bzip2 command: Go's standard library can
// only decompress bzip2.
func bzip2Bytes(t testing.TB, b []byte) []byte {
	t.Helper()
	path, err := exec.LookPath("bzip2")
	if err != nil {
		t.Fatalf("the bzip2 command is needed to build tar.bz2 test archives but is not on PATH: %v", err)
	}
	cmd := exec.Command(path, "-c")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	return out
}

// build returns files as an archive of the given format and a file name for it.
func build(t testing.TB, format Format, files []tfile) (data []byte, filename string) {
	t.Helper()
	switch format {
	case FormatZip:
		return buildZip(t, files), "foo-1.2.3.zip"
	case FormatTarGz:
		return gzipBytes(t, buildTar(t, files)), "foo-1.2.3.tar.gz"
	case FormatTarBz2:
		return bzip2Bytes(t, buildTar(t, files)), "foo-1.2.3.tar.bz2"
	}
	t.Fatalf("unknown format %q", format)
	return nil, ""
}

var allFormats = []Format{FormatZip, FormatTarGz, FormatTarBz2}

// wantInvalid checks that err is an EINVALID *glpinet.Error whose message
// contains want.
func wantInvalid(t testing.TB, err error, want string) {
	t.Helper()
	var e *glpinet.Error
	switch {
	case err == nil:
		t.Fatalf("got no error, want EINVALID %q", want)
	case !errors.As(err, &e) || e.Code != glpinet.EINVALID:
		t.Fatalf("got error %v, want EINVALID %q", err, want)
	case !strings.Contains(e.Message, want):
		t.Fatalf("got message\n\t%s\nwant it to contain\n\t%s", e.Message, want)
	}
}

func blockPad(n int64) int64 { return -n & 511 }

// patchTarHeader applies patch to a tar header block and recomputes its
// checksum.
func patchTarHeader(hdr []byte, patch func([]byte)) {
	patch(hdr)
	copy(hdr[148:156], "        ")
	sum := 0
	for _, c := range hdr {
		sum += int(c)
	}
	copy(hdr[148:156], fmt.Sprintf("%06o\x00 ", sum))
}
