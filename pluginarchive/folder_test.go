package pluginarchive

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// deflated returns b compressed as a raw deflate stream, as zip stores it.
// Nothing at all gives the 2-byte empty stream Python's zipfile writes for
// folder entries.
func deflated(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipWithRawFolder returns goodFiles as a zip plus the folder entry name
// (which must end with "/") stored with the given header fields and raw
// (compressed) bytes. archive/zip writes no bytes for a folder, so the
// entry is written under a file name of the same length, renamed after.
func zipWithRawFolder(t testing.TB, name string, fh zip.FileHeader, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range goodFiles() {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, f.body); err != nil {
			t.Fatal(err)
		}
	}
	placeholder := name[:len(name)-1] + "\x7f"
	fh.Name = placeholder
	fh.SetMode(fs.ModeDir | 0o755)
	fh.CompressedSize64 = uint64(len(raw))
	w, err := zw.CreateRaw(&fh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	// The name is in the local header and in the central directory.
	data := buf.Bytes()
	if n := bytes.Count(data, []byte(placeholder)); n != 2 {
		t.Fatalf("the placeholder name occurs %d times, want 2", n)
	}
	return bytes.ReplaceAll(data, []byte(placeholder), []byte(name))
}

func TestZipDeflatedEmptyFolder(t *testing.T) {
	data := zipWithRawFolder(t, "foo/empty/", zip.FileHeader{Method: zip.Deflate}, deflated(t, nil))

	// The archive is what Python's zipfile writes: a folder entry with
	// compressed bytes that unpack to nothing.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f := zr.File[len(zr.File)-1]
	if f.Name != "foo/empty/" || !f.Mode().IsDir() || f.Method != zip.Deflate || f.CompressedSize64 == 0 || f.UncompressedSize64 != 0 {
		t.Fatalf("built entry %q: dir %v, method %d, sizes %d/%d; want a deflated empty folder with compressed bytes",
			f.Name, f.Mode().IsDir(), f.Method, f.CompressedSize64, f.UncompressedSize64)
	}
	if unzip, err := exec.LookPath("unzip"); err == nil {
		path := filepath.Join(t.TempDir(), "foo.zip")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(unzip, "-t", path).CombinedOutput(); err != nil {
			t.Fatalf("unzip -t refuses the test archive: %v\n%s", err, out)
		}
	}

	m, err := Inspect(bytes.NewReader(data), int64(len(data)), "foo.zip", DefaultLimits())
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if m.Key != "foo" {
		t.Errorf("Inspect: key %q, want foo", m.Key)
	}
	dir := t.TempDir()
	if _, err := Extract(bytes.NewReader(data), int64(len(data)), "foo.zip", DefaultLimits(), dir); err != nil {
		t.Fatalf("Extract: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "foo", "empty"))
	if err != nil || !fi.IsDir() {
		t.Fatalf("Extract did not create the folder foo/empty: %v", err)
	}
	if entries, err := os.ReadDir(filepath.Join(dir, "foo", "empty")); err != nil || len(entries) != 0 {
		t.Errorf("foo/empty holds %v (%v), want nothing", entries, err)
	}
}

func TestZipFolderThatUnpacksToSomething(t *testing.T) {
	tests := []struct {
		name string
		fh   zip.FileHeader
		raw  []byte
		want string
	}{
		{"deflated content, declared empty", zip.FileHeader{Method: zip.Deflate}, deflated(t, []byte("x")),
			`invalid entry "foo/d/": a folder entry must not have content`},
		{"deflated content, declared empty, with its CRC", zip.FileHeader{Method: zip.Deflate, CRC32: crc32.ChecksumIEEE([]byte("<?php"))},
			deflated(t, []byte("<?php")), `invalid entry "foo/d/": a folder entry must not have content`},
		{"stored content, declared empty", zip.FileHeader{Method: zip.Store}, []byte("abc"),
			`invalid entry "foo/d/": a folder entry must not have content`},
		{"declared content", zip.FileHeader{Method: zip.Deflate, UncompressedSize64: 1}, deflated(t, []byte("x")),
			`invalid entry "foo/d/": a folder entry must not have content`},
		{"corrupt deflate stream", zip.FileHeader{Method: zip.Deflate}, []byte{0xff, 0xff, 0xff},
			`the archive is corrupt: "foo/d/" cannot be decompressed`},
		{"empty stream, wrong CRC", zip.FileHeader{Method: zip.Deflate, CRC32: 1}, deflated(t, nil),
			`the archive is corrupt: "foo/d/" cannot be decompressed`},
		{"unsupported method with bytes", zip.FileHeader{Method: 99}, []byte("ab"),
			`"foo/d/" uses compression method 99, which is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := zipWithRawFolder(t, "foo/d/", tt.fh, tt.raw)
			_, err := Inspect(bytes.NewReader(data), int64(len(data)), "foo.zip", DefaultLimits())
			wantInvalid(t, err, tt.want)
			dir := t.TempDir()
			_, err = Extract(bytes.NewReader(data), int64(len(data)), "foo.zip", DefaultLimits(), dir)
			wantInvalid(t, err, tt.want)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("Extract left %v behind", entries)
			}
		})
	}
}

func TestTarFolderWithSize(t *testing.T) {
	// archive/tar reads no data for a folder, whatever its size field says;
	// extractors that skip that many bytes would see other entries.
	files := with(tfile{name: "foo/d/", patch: func(hdr []byte) { copy(hdr[124:136], "00000001000\x00") }},
		tfile{name: "foo/after.php", body: "<?php\n"})
	data := gzipBytes(t, buildTar(t, files))
	_, err := Inspect(bytes.NewReader(data), int64(len(data)), "foo.tar.gz", DefaultLimits())
	wantInvalid(t, err, `invalid entry "foo/d/": a folder entry must not have content`)
}
