package pluginarchive

import (
	"bytes"
	"errors"
	"github.com/glpinet/glpinet/internal/testkit"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// execScript is an executable file: mode 0755 in the archive.
func execScript(format Format) tfile {
	f := tfile{name: "foo/bin/run.sh", body: "#!/bin/sh\necho run\n"}
	if format == FormatZip {
		f.mode = 0o755
	} else {
		f.patch = func(hdr []byte) { copy(hdr[100:108], "0000755\x00") }
	}
	return f
}

func TestExtract(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			files := with(tfile{name: "foo/bin/"}, execScript(format))
			// A file whose folder has no entry of its own.
			files = append(files, tfile{name: "foo/implied/deep/x.txt", body: "x"})
			data, name := build(t, format, files)
			dir := t.TempDir()
			m, err := Extract(bytes.NewReader(data), int64(len(data)), name, DefaultLimits(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.Key != "foo" || m.Version != "1.2.3" {
				t.Errorf("manifest %s %s, want foo 1.2.3", m.Key, m.Version)
			}
			want := map[string]string{
				".":                        "drwxr-xr-x",
				"foo":                      "drwxr-xr-x",
				"foo/setup.php":            "-rw-r--r-- " + goodSetupPHP,
				"foo/hook.php":             "-rw-r--r-- <?php\nfunction plugin_foo_install() { return true; }\n",
				"foo/inc":                  "drwxr-xr-x",
				"foo/inc/report.class.php": "-rw-r--r-- <?php\nclass PluginFooReport extends CommonDBTM {}\n",
				"foo/locales":              "drwxr-xr-x",
				"foo/locales/fr_FR.po":     "-rw-r--r-- " + goodFiles()[6].body,
				"foo/bin":                  "drwxr-xr-x",
				"foo/bin/run.sh":           "-rwxr-xr-x #!/bin/sh\necho run\n",
				"foo/implied":              "drwxr-xr-x",
				"foo/implied/deep":         "drwxr-xr-x",
				"foo/implied/deep/x.txt":   "-rw-r--r-- x",
			}
			os.Chmod(dir, 0o755) // t.TempDir's own mode is not Extract's business
			if diff := cmp.Diff(want, testkit.Tree(t, dir)); diff != "" {
				t.Errorf("extracted tree (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExtractModesIgnoreUmask checks that a restrictive umask does not
// make the plugin unreadable for the web server.
func TestExtractModesIgnoreUmask(t *testing.T) {
	data, name := build(t, FormatTarGz, goodFiles())
	dir := t.TempDir()
	if _, err := Extract(bytes.NewReader(data), int64(len(data)), name, DefaultLimits(), dir); err != nil {
		t.Fatal(err)
	}
	for path, mode := range testkit.Tree(t, filepath.Join(dir, "foo")) {
		if mode[:10] != "drwxr-xr-x" && mode[:10] != "-rw-r--r--" {
			t.Errorf("%s has mode %s", path, mode[:10])
		}
	}
}

// TestExtractRejectsWritesNothing checks that what Inspect rejects is
// never partly extracted, even when the bad entry comes last.
func TestExtractRejectsWritesNothing(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		bad    tfile
		want   string
	}{
		{"dot-dot", FormatTarGz, tfile{name: "foo/../../evil.php", body: "x"}, `".." is not allowed`},
		{"absolute", FormatZip, tfile{name: "/etc/evil.php", body: "x"}, "absolute paths are not allowed"},
		{"symlink", FormatTarGz, tfile{name: "foo/link", typeflag: '2', linkname: "/etc/passwd"}, "links are not allowed"},
		{"hard link", FormatTarBz2, tfile{name: "foo/hard", typeflag: '1', linkname: "foo/setup.php"}, "links are not allowed"},
		{"zip symlink", FormatZip, tfile{name: "foo/link", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777}, "links are not allowed"},
		{"second top folder", FormatTarGz, tfile{name: "bar/x.php", body: "x"}, "single top folder"},
		{"duplicate", FormatZip, tfile{name: "foo/setup.php", body: "again"}, "more than once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, name := build(t, tt.format, with(tt.bad))
			dir := t.TempDir()
			_, err := Extract(bytes.NewReader(data), int64(len(data)), name, DefaultLimits(), dir)
			wantInvalid(t, err, tt.want)
			if got := testkit.Tree(t, dir); len(got) != 1 {
				t.Errorf("a rejected archive wrote %v", got)
			}
		})
	}
}

// switchingReaderAt serves r until after bytes were read, then fails: a
// source that breaks in the middle of the extracting pass.
type switchingReaderAt struct {
	r     io.ReaderAt
	read  atomic.Int64
	after int64
}

func (s *switchingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	left := s.after - s.read.Load()
	if left <= 0 {
		return 0, errDisk
	}
	short := int64(len(p)) > left
	if short {
		p = p[:left]
	}
	n, err := s.r.ReadAt(p, off)
	s.read.Add(int64(n))
	if short && err == nil {
		err = errDisk
	}
	return n, err
}

// countingReaderAt counts the bytes one pass reads.
type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// TestExtractFailureMidwayRemovesEverything breaks the source during the
// second (extracting) pass: the error is reported and no partial plugin
// folder stays behind.
func TestExtractFailureMidwayRemovesEverything(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			// Incompressible, so that the archive is read in many chunks.
			noise := make([]byte, 256<<10)
			rand.NewChaCha8([32]byte{1}).Read(noise)
			big := tfile{name: "foo/big.bin", body: string(noise)}
			data, name := build(t, format, with(big))
			c := &countingReaderAt{r: bytes.NewReader(data)}
			if _, err := Inspect(c, int64(len(data)), name, DefaultLimits()); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			r := &switchingReaderAt{r: bytes.NewReader(data), after: c.n + c.n/2}
			_, err := Extract(r, int64(len(data)), name, DefaultLimits(), dir)
			if !errors.Is(err, errDisk) {
				t.Fatalf("got %v, want the disk error", err)
			}
			if got := testkit.Tree(t, dir); len(got) != 1 {
				t.Errorf("a failed extraction left %v", got)
			}
		})
	}
}

// TestExtractNeverOverwrites refuses an existing plugin folder and leaves
// it alone.
func TestExtractNeverOverwrites(t *testing.T) {
	data, name := build(t, FormatZip, goodFiles())
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "foo"), 0o755)
	os.WriteFile(filepath.Join(dir, "foo", "mine.txt"), []byte("mine"), 0o644)
	if _, err := Extract(bytes.NewReader(data), int64(len(data)), name, DefaultLimits(), dir); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("got %v, want fs.ErrExist", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "foo", "mine.txt")); err != nil || string(b) != "mine" {
		t.Fatalf("the existing folder was touched: %q, %v", b, err)
	}
}
