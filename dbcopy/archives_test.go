package dbcopy_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/dbcopy"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
)

// TestCopyArchives: the archive files of the source's data folder go into
// the target's archive tables, checked; a file that is gone or damaged is
// reported, and the rest is copied.
func TestCopyArchives(t *testing.T) {
	src, _ := newSource(t)
	dir := filepath.Join(filepath.Dir(src.Path()), "archives")
	pub := &publish.Publisher{Store: src, ArchiveDir: dir, Limits: pluginarchive.DefaultLimits()}
	ctx := glpinet.WithActor(t.Context(), "test")
	var published []*glpinet.Version
	for _, num := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		path := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "carried", Version: num, MinGLPI: "10.0.0", MaxGLPI: "11.1.0",
			Files: map[string]string{"big.txt": string(bytes.Repeat([]byte(num), 1<<19))}})
		res, err := pub.Publish(ctx, path, glpinet.PublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		published = append(published, res.Version)
	}
	// 1.1.0's file is gone, 1.2.0's damaged.
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(published[1].Archive.Path))); err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(dir, filepath.FromSlash(published[2].Archive.Path))
	b, _ := os.ReadFile(damaged)
	b[len(b)/2] ^= 1
	if err := os.WriteFile(damaged, b, 0o640); err != nil {
		t.Fatal(err)
	}

	dsn := pgtest.NewDatabase(t)
	res, err := dbcopy.Copy(t.Context(), dbcopy.Options{From: src.Path(), To: dsn, TempDir: t.TempDir(), ArchiveDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	a := res.Archives
	if a.Dir != dir || a.Copied != 1 || a.Bytes != published[0].Archive.Size || len(a.Missing) != 2 {
		t.Fatalf("archives: %+v", a)
	}
	for _, tb := range res.Tables {
		if tb.Name == "archive_blobs" || tb.Name == "archive_chunks" {
			t.Errorf("%s listed as a table copied from SQLite", tb.Name)
		}
	}
	target := openTarget(t, dsn)
	rc, size, err := target.OpenArchive(t.Context(), published[0].Archive.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	want, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(published[0].Archive.Path)))
	if size != int64(len(want)) || !bytes.Equal(got, want) {
		t.Fatalf("the copied blob: %d bytes, equal %v", size, bytes.Equal(got, want))
	}
	missing, err := target.MissingArchives(t.Context())
	if err != nil || len(missing) != 2 {
		t.Fatalf("MissingArchives after the copy: %+v, %v", missing, err)
	}

	// Without an archive folder that exists, nothing is copied.
	if _, err := dbcopy.Copy(t.Context(), dbcopy.Options{From: src.Path(), To: pgtest.NewDatabase(t), TempDir: t.TempDir(),
		ArchiveDir: filepath.Join(t.TempDir(), "nowhere")}); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("a missing archive folder: %v, want EINVALID", err)
	}
}
