package pluginarchive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
)

func TestInspectGood(t *testing.T) {
	var total int64
	for _, f := range goodFiles() {
		total += int64(len(f.body))
	}
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			data, name := build(t, format, goodFiles())
			// Through a file, as glpinetd does.
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := InspectFile(path, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			want := Manifest{
				Key:              "foo",
				Format:           format,
				Size:             int64(len(data)),
				SHA256:           hex.EncodeToString(sum[:]),
				Entries:          7,
				UncompressedSize: total,
				Name:             "Foo reports",
				Version:          "1.2.3",
				Author:           "Example",
				License:          "GPLv3+",
				Homepage:         "https://github.com/example/foo",
				MinGLPI:          "10.0.0",
				MaxGLPI:          "10.0.99",
				Compatibility:    ">=10.0.0 <10.0.99",
			}
			if *got != want {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
}

// TestInspectGoodVariants covers valid archives made differently from
// goodFiles: by other tools, or close to a limit.
func TestInspectGoodVariants(t *testing.T) {
	setup := tfile{name: "foo/setup.php", body: goodSetupPHP}
	tests := []struct {
		name        string
		formats     []Format
		filename    string // default: from build
		files       []tfile
		wantEntries int
	}{
		{name: "no folder entries", files: []tfile{setup, {name: "foo/inc/a.php", body: "<?php"}}, wantEntries: 2},
		{
			// tar -C dir -czf x.tgz . writes "./" and "./" prefixes.
			name: "dot prefixes", formats: []Format{FormatTarGz, FormatTarBz2},
			files:       []tfile{{name: "./"}, {name: "./foo/"}, {name: "./foo/setup.php", body: goodSetupPHP}},
			wantEntries: 2,
		},
		{
			// git archive starts with a PAX global header holding the commit.
			name: "git archive", formats: []Format{FormatTarGz, FormatTarBz2},
			files: []tfile{
				{name: "pax_global_header", typeflag: 'g', pax: map[string]string{"comment": "0123456789abcdef"}},
				{name: "foo/"}, setup,
			},
			wantEntries: 2,
		},
		{name: "upper-case extension", formats: []Format{FormatZip}, filename: "FOO.ZIP", files: goodFiles(), wantEntries: 7},
		{name: "tgz", formats: []Format{FormatTarGz}, filename: "foo.tgz", files: goodFiles(), wantEntries: 7},
		{name: "tbz2", formats: []Format{FormatTarBz2}, filename: "foo.tbz2", files: goodFiles(), wantEntries: 7},
		{
			// Compresses about 1000 times, but stays under ratioFloor.
			name:        "well-compressed data under the ratio floor",
			files:       with(tfile{name: "foo/zeros.bin", body: strings.Repeat("\x00", 4<<20)}),
			wantEntries: 8,
		},
		{
			name:        "non-ASCII names",
			files:       with(tfile{name: "foo/pics/café.png", body: "x"}, tfile{name: "foo/pics/Straße.png", body: "y"}),
			wantEntries: 9,
		},
	}
	for _, tt := range tests {
		formats := tt.formats
		if formats == nil {
			formats = allFormats
		}
		for _, format := range formats {
			t.Run(tt.name+"/"+string(format), func(t *testing.T) {
				data, name := build(t, format, tt.files)
				if tt.filename != "" {
					name = tt.filename
				}
				m, err := Inspect(bytes.NewReader(data), int64(len(data)), name, DefaultLimits())
				if err != nil {
					t.Fatal(err)
				}
				if m.Key != "foo" || m.Version != "1.2.3" || m.Entries != tt.wantEntries || m.Format != format {
					t.Errorf("got %+v, want key foo, version 1.2.3, %d entries, format %s", m, tt.wantEntries, format)
				}
			})
		}
	}
}

func TestInspectRejects(t *testing.T) {
	zipOnly := []Format{FormatZip}
	tarOnly := []Format{FormatTarGz, FormatTarBz2}
	long := strings.Repeat("a", 200)
	tests := []struct {
		name    string
		formats []Format // default: all
		files   []tfile
		lim     Limits
		want    string
	}{
		// Names.
		{name: "absolute path", files: with(tfile{name: "/foo/x.php"}),
			want: `invalid entry "/foo/x.php": absolute paths are not allowed`},
		{name: "dot-dot", files: with(tfile{name: "foo/../../x.php"}),
			want: `invalid entry "foo/../../x.php": ".." is not allowed in paths`},
		{name: "backslash", files: with(tfile{name: `foo\x.php`}),
			want: `invalid entry "foo\\x.php": the name contains a backslash`},
		{name: "drive letter", files: with(tfile{name: "C:/foo/x.php"}),
			want: `invalid entry "C:/foo/x.php": the name starts with a drive letter`},
		{name: "NUL byte", formats: zipOnly, files: with(tfile{name: "foo/x.php\x00.png"}),
			want: `invalid entry "foo/x.php\x00.png": the name contains a NUL byte`},
		{name: "control character", files: with(tfile{name: "foo/x\n.php"}),
			want: `invalid entry "foo/x\n.php": the name contains a control character`},
		{name: "invalid UTF-8", formats: zipOnly, files: with(tfile{name: "foo/\xff.php"}),
			want: `invalid entry "foo/\xff.php": the name is not valid UTF-8`},
		{name: "long component", files: with(tfile{name: "foo/" + strings.Repeat("a", 256)}),
			want: "a file or folder name is longer than 255 bytes"},
		{name: "long path", files: with(tfile{name: "foo/" + strings.Repeat(long+"/", 6) + "x"}),
			want: "the path is longer than 1024 bytes"},
		{name: "empty name", formats: zipOnly, files: with(tfile{name: ""}),
			want: `invalid entry "": the name is empty`},
		{name: "file named dot", files: with(tfile{name: "."}),
			want: `invalid entry ".": a file must have a name`},

		// Entry types.
		{name: "zip symlink", formats: zipOnly, files: with(tfile{name: "foo/passwd", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777}),
			want: `"foo/passwd" is a symbolic link: links are not allowed in plugin archives`},
		{name: "tar symlink", formats: tarOnly, files: with(tfile{name: "foo/passwd", typeflag: '2', linkname: "/etc/passwd"}),
			want: `"foo/passwd" is a symbolic link: links are not allowed in plugin archives`},
		{name: "tar hard link", formats: tarOnly, files: with(tfile{name: "foo/copy.php", typeflag: '1', linkname: "foo/setup.php"}),
			want: `"foo/copy.php" is a hard link: links are not allowed in plugin archives`},
		{name: "zip device", formats: zipOnly, files: with(tfile{name: "foo/dev", mode: fs.ModeDevice | fs.ModeCharDevice | 0o600}),
			want: `"foo/dev" is a device file: only regular files and folders are allowed in plugin archives`},
		{name: "tar char device", formats: tarOnly, files: with(tfile{name: "foo/dev", typeflag: '3'}),
			want: `"foo/dev" is a device file`},
		{name: "tar block device", formats: tarOnly, files: with(tfile{name: "foo/dev", typeflag: '4'}),
			want: `"foo/dev" is a device file`},
		{name: "zip fifo", formats: zipOnly, files: with(tfile{name: "foo/fifo", mode: fs.ModeNamedPipe | 0o600}),
			want: `"foo/fifo" is a named pipe (FIFO)`},
		{name: "tar fifo", formats: tarOnly, files: with(tfile{name: "foo/fifo", typeflag: '6'}),
			want: `"foo/fifo" is a named pipe (FIFO)`},
		{name: "zip socket", formats: zipOnly, files: with(tfile{name: "foo/sock", mode: fs.ModeSocket | 0o600}),
			want: `"foo/sock" is a socket`},
		{name: "tar contiguous file", formats: tarOnly, files: with(tfile{name: "foo/c", typeflag: '7'}),
			want: `"foo/c" has the unsupported tar entry type '7'`},
		{name: "zip folder without slash", formats: zipOnly, files: with(tfile{name: "foo/sub", mode: fs.ModeDir | 0o755}),
			want: `invalid entry "foo/sub": it is marked as a folder but its name does not end with "/"`},
		{name: "zip file with slash", formats: zipOnly, files: with(tfile{name: "foo/sub/", mode: 0o644}),
			want: `invalid entry "foo/sub/": its name ends with "/" but it is marked as a file`},
		{name: "tar file with slash", formats: tarOnly, files: with(tfile{name: "foo/sub", patch: func(h []byte) { h[7] = '/' }}),
			want: `invalid entry "foo/sub/": its name ends with "/" but it is a file`},
		{name: "tar sparse file", formats: tarOnly, files: with(tfile{name: "foo/sparse", patch: func(h []byte) {
			// An old-style GNU sparse entry with an empty sparse map.
			h[156] = tar.TypeGNUSparse
			copy(h[257:265], "ustar  \x00")
		}}),
			want: `"foo/sparse" is a sparse file: only regular files and folders are allowed in plugin archives`},
		{name: "encrypted", formats: zipOnly, files: with(tfile{name: "foo/secret.php", body: "x", flags: 0x1}),
			want: `"foo/secret.php" is encrypted`},
		{name: "compression method", formats: zipOnly, files: with(tfile{name: "foo/x.php", body: "x", method: 99}),
			want: `"foo/x.php" uses compression method 99, which is not supported`},

		// Layout.
		{name: "file at the root", files: []tfile{{name: "setup.php", body: goodSetupPHP}},
			want: `"setup.php" is not inside a folder: the archive must contain a single top folder named after the plugin key`},
		{name: "two top folders", files: with(tfile{name: "bar/x.php"}),
			want: `the archive must contain a single top folder named after the plugin key, but it has both "foo" and "bar"`},
		{name: "macOS Finder archive", formats: zipOnly, files: with(tfile{name: "__MACOSX/foo/._setup.php", body: "x"}),
			want: `but it has both "foo" and "__MACOSX" (macOS Finder adds __MACOSX when compressing`},
		{name: "release-style top folder", files: []tfile{{name: "glpi-foo-1.0/setup.php", body: goodSetupPHP}},
			want: `the top folder "glpi-foo-1.0" must be named after the plugin key, which GLPI restricts to lower-case letters and digits (^[a-z0-9]+$)`},
		{name: "upper-case top folder", files: []tfile{{name: "Foo/"}, {name: "Foo/setup.php", body: goodSetupPHP}},
			want: `the top folder "Foo" must be named after the plugin key`},
		{name: "no setup.php", files: []tfile{{name: "foo/hook.php", body: "<?php"}},
			want: `the archive has no "foo/setup.php": every GLPI plugin needs a setup.php file in its top folder`},
		{name: "setup.php in wrong case", files: []tfile{{name: "foo/Setup.php", body: goodSetupPHP}},
			want: `the archive has no "foo/setup.php"`},
		{name: "setup.php folder", files: []tfile{{name: "foo/setup.php/"}, {name: "foo/hook.php", body: "<?php"}},
			want: `the archive has no "foo/setup.php"`},
		{name: "no entries", files: nil, want: "the archive contains no files"},
		{name: "only the root", formats: tarOnly, files: []tfile{{name: "./"}}, want: "the archive contains no files"},

		// Duplicates.
		{name: "duplicate file", files: with(tfile{name: "foo/hook.php", body: "<?php // evil"}),
			want: `invalid entry "foo/hook.php": "foo/hook.php" appears more than once in the archive`},
		{name: "duplicate after normalisation", files: with(tfile{name: "foo//./hook.php"}),
			want: `invalid entry "foo//./hook.php": "foo/hook.php" appears more than once in the archive`},
		{name: "duplicate folder", files: with(tfile{name: "foo/inc/"}),
			want: `invalid entry "foo/inc/": "foo/inc" appears more than once in the archive`},
		{name: "case duplicate", files: with(tfile{name: "foo/HOOK.php"}),
			want: `"foo/hook.php" and "foo/HOOK.php" differ only by letter case: they would overwrite each other on case-insensitive file systems`},
		{name: "case duplicate folder", files: with(tfile{name: "foo/INC/x.php"}),
			want: `"foo/inc" and "foo/INC" differ only by letter case`},
		{name: "unicode case duplicate", files: with(tfile{name: "foo/k.php"}, tfile{name: "foo/\u212a.php"}),
			want: "\"foo/k.php\" and \"foo/\u212a.php\" differ only by letter case"},
		{name: "file then folder", files: with(tfile{name: "foo/hook.php/x.php"}),
			want: `"foo/hook.php" is both a file and a folder in the archive`},
		{name: "folder then file", files: with(tfile{name: "foo/inc", body: "x"}),
			want: `"foo/inc" is both a file and a folder in the archive`},

		// Limits.
		{name: "archive size", lim: Limits{MaxArchiveSize: 100}, files: goodFiles(),
			want: "more than the 100 bytes allowed"},
		{name: "entries", lim: Limits{MaxEntries: 5}, files: goodFiles(),
			want: "the archive has more than 5 files and folders"},
		{name: "implied folders count as entries", lim: Limits{MaxEntries: 5},
			files: []tfile{{name: "foo/setup.php", body: goodSetupPHP}, {name: "foo/a/b/c/d.php"}},
			want:  "the archive has more than 5 files and folders"},
		{name: "entry size", lim: Limits{MaxEntrySize: 1000}, files: goodFiles(),
			want: `"foo/locales/fr_FR.po" is larger than 1000 bytes uncompressed, the maximum for one file`},
		{name: "total size", lim: Limits{MaxTotalSize: 2000}, files: goodFiles(),
			want: "the archive's files total more than 2000 bytes uncompressed, the maximum"},
		{name: "compression bomb", files: with(tfile{name: "foo/zeros.bin", body: strings.Repeat("\x00", 9<<20)}),
			want: "the archive expands to more than 200 times its size: this looks like a compression bomb"},
		{name: "tar header bomb", formats: tarOnly, lim: Limits{MaxTotalSize: 1 << 20, MaxEntries: 10},
			files: with(
				tfile{name: "foo/a", pax: map[string]string{"comment": strings.Repeat("a", 800<<10)}},
				tfile{name: "foo/b", pax: map[string]string{"comment": strings.Repeat("b", 800<<10)}},
				tfile{name: "foo/c", pax: map[string]string{"comment": strings.Repeat("c", 800<<10)}},
			),
			want: "the archive expands to more than 2088 KiB of tar data (files, headers and padding)"},

		// setup.php.
		{name: "no version function", files: []tfile{{name: "foo/setup.php", body: "<?php\nfunction plugin_init_foo() {}\n"}},
			want: "setup.php does not define the function plugin_version_foo(), which GLPI calls to get the plugin's name and version"},
		{name: "no version", files: []tfile{{name: "foo/setup.php", body: "<?php function plugin_version_foo() { return ['name' => 'Foo']; }"}},
			want: "plugin_version_foo() in setup.php declares no version that can be read without running PHP"},
		{name: "huge setup.php", files: []tfile{{name: "foo/setup.php", body: "<?php\n" + strings.Repeat("//\n", 100<<10)}},
			want: "setup.php is larger than 256 KiB"},
	}
	for _, tt := range tests {
		formats := tt.formats
		if formats == nil {
			formats = allFormats
		}
		for _, format := range formats {
			t.Run(tt.name+"/"+string(format), func(t *testing.T) {
				data, name := build(t, format, tt.files)
				m, err := Inspect(bytes.NewReader(data), int64(len(data)), name, tt.lim)
				if err == nil {
					t.Fatalf("got %+v, want error %q", m, tt.want)
				}
				wantInvalid(t, err, tt.want)
			})
		}
	}
}

// TestInspectRejectsContent covers archives whose bytes, rather than
// entries, are wrong.
func TestInspectRejectsContent(t *testing.T) {
	zipData, _ := build(t, FormatZip, goodFiles())
	tgzData, _ := build(t, FormatTarGz, goodFiles())
	tbzData, _ := build(t, FormatTarBz2, goodFiles())
	corruptZip := bytes.Clone(zipData)
	// Damage the deflated content of foo/locales/fr_FR.po, the only entry
	// that compresses to more than a few bytes.
	i := bytes.Index(corruptZip, []byte("foo/locales/fr_FR.po")) + len("foo/locales/fr_FR.po") + 10
	corruptZip[i] ^= 0xff
	tests := []struct {
		name     string
		data     []byte
		filename string
		want     string
	}{
		{"unsupported extension", zipData, "foo.rar", `"foo.rar" is not a supported plugin archive: the file name must end with .zip, .tar.gz, .tgz, .tar.bz2 or .tbz2`},
		{"empty file", nil, "foo.zip", `"foo.zip" is empty`},
		{"zip named tar.gz", zipData, "foo.tar.gz", `"foo.tar.gz" is named like a tar.gz archive but its content is a zip archive`},
		{"tar.gz named zip", tgzData, "foo.zip", `"foo.zip" is named like a zip archive but its content is a tar.gz archive`},
		{"tar.bz2 named tgz", tbzData, "foo.tgz", `"foo.tgz" is named like a tar.gz archive but its content is a tar.bz2 archive`},
		{"not an archive", []byte("<html>not found</html>"), "foo.zip", `"foo.zip" is not a valid zip archive: its content does not start like one`},
		{"truncated zip", zipData[:len(zipData)/2], "foo.zip", `"foo.zip" is not a valid zip archive (zip: not a valid zip file)`},
		{"corrupt zip entry", corruptZip, "foo.zip", `the archive is corrupt: "foo/locales/fr_FR.po" cannot be decompressed`},
		{"truncated tar.gz", tgzData[:len(tgzData)-20], "foo.tar.gz", `"foo.tar.gz" is not a valid tar.gz archive (`},
		{"gzip but not tar", gzipBytes(t, []byte(strings.Repeat("hello\n", 200))), "foo.tar.gz", `"foo.tar.gz" is not a valid tar.gz archive (archive/tar: invalid tar header)`},
		{"trailing garbage", append(bytes.Clone(tgzData), "garbage"...), "foo.tar.gz", `"foo.tar.gz" is not a valid tar.gz archive (`},
		{"truncated tar.bz2", tbzData[:len(tbzData)-20], "foo.tar.bz2", `"foo.tar.bz2" is not a valid tar.bz2 archive (`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Inspect(bytes.NewReader(tt.data), int64(len(tt.data)), tt.filename, DefaultLimits())
			if err == nil {
				t.Fatalf("got %+v, want error %q", m, tt.want)
			}
			wantInvalid(t, err, tt.want)
		})
	}
}

func TestInspectZipRawHeaders(t *testing.T) {
	// A folder entry declaring content, which Go's zip writer refuses to
	// produce through CreateHeader.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range goodFiles() {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f.body)
	}
	if _, err := zw.CreateRaw(&zip.FileHeader{Name: "foo/d/", Method: zip.Store, UncompressedSize64: 5, CompressedSize64: 5}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := Inspect(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "foo.zip", DefaultLimits())
	wantInvalid(t, err, `invalid entry "foo/d/": a folder entry must not have content`)
}

func TestIsSparse(t *testing.T) {
	if !isSparse(&tar.Header{PAXRecords: map[string]string{"GNU.sparse.major": "1"}}) {
		t.Error("isSparse misses PAX sparse files")
	}
	if isSparse(&tar.Header{PAXRecords: map[string]string{"comment": "x"}}) {
		t.Error("isSparse reports a regular file")
	}
}

// failingReaderAt fails every read past a given offset, as a broken disk.
type failingReaderAt struct {
	r   io.ReaderAt
	off int64
}

var errDisk = errors.New("disk on fire")

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.off {
		return 0, errDisk
	}
	return f.r.ReadAt(p, off)
}

func TestInspectIOError(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			data, name := build(t, format, goodFiles())
			r := failingReaderAt{bytes.NewReader(data), int64(len(data)) / 2}
			_, err := Inspect(r, int64(len(data)), name, DefaultLimits())
			if !errors.Is(err, errDisk) || glpinet.ErrorCode(err) != glpinet.EINTERNAL {
				t.Errorf("got %v (code %s), want a wrapped I/O error", err, glpinet.ErrorCode(err))
			}
		})
	}
	if _, err := InspectFile(filepath.Join(t.TempDir(), "missing.zip"), DefaultLimits()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("InspectFile of a missing file: got %v, want fs.ErrNotExist", err)
	}
}

// TestEntryReaderCountsBytes checks that sizes are enforced on the bytes
// actually read, whatever the archive declares, reading at most one byte
// past the limit.
func TestEntryReaderCountsBytes(t *testing.T) {
	w := &walker{size: 1 << 20, lim: Limits{MaxEntrySize: 1000}.withDefaults()}
	src := &countingReader{r: strings.NewReader(strings.Repeat("x", 5000))}
	er := &entryReader{w: w, r: src, raw: "foo/lie.php"}
	_, err := io.Copy(io.Discard, er)
	wantInvalid(t, err, `"foo/lie.php" is larger than 1000 bytes uncompressed`)
	if src.n != 1001 {
		t.Errorf("read %d bytes from the source, want 1001", src.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestWalkVisitor checks the contract the extractor will rely on.
func TestWalkVisitor(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			data, name := build(t, format, goodFiles())
			var got []string
			res, err := walk(bytes.NewReader(data), int64(len(data)), name, DefaultLimits(), func(e entry, body io.Reader) error {
				if e.Dir != (body == nil) {
					t.Errorf("%s: Dir %v but body %v", e.Name, e.Dir, body)
				}
				got = append(got, e.Name)
				return nil // bodies left unread: walk must still count them
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"foo", "foo/setup.php", "foo/hook.php", "foo/inc", "foo/inc/report.class.php", "foo/locales", "foo/locales/fr_FR.po"}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("visited %v, want %v", got, want)
			}
			if res.Total == 0 || res.Entries != len(want) {
				t.Errorf("got %+v", res)
			}

			errStop := errors.New("disk full")
			_, err = walk(bytes.NewReader(data), int64(len(data)), name, DefaultLimits(), func(e entry, body io.Reader) error {
				if body != nil {
					io.CopyN(io.Discard, body, 3)
					return errStop
				}
				return nil
			})
			if err != errStop {
				t.Errorf("visitor error: got %v, want it returned as is", err)
			}
		})
	}
}
