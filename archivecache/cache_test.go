package archivecache_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/archivecache"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/postgres"
	"github.com/jackc/pgx/v5"
)

// newDB opens a PostgreSQL store on a database of its own.
func newDB(t *testing.T) *postgres.DB {
	t.Helper()
	return openDB(t, pgtest.NewDatabase(t))
}

// openDB opens a PostgreSQL store on the database at dsn.
func openDB(t *testing.T, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// archive returns n random bytes and their Archive record.
func archive(n int) ([]byte, glpinet.Archive) {
	b := make([]byte, n)
	rand.Read(b)
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:])
	return b, glpinet.Archive{Filename: "glpi-demo-1.0.0.zip", Format: "zip", Size: int64(n), SHA256: h, Path: "demo/1.0.0/" + h[:16] + "/glpi-demo-1.0.0.zip"}
}

func newCache(t *testing.T, store glpinet.ArchiveStore) *archivecache.Cache {
	return &archivecache.Cache{Dir: filepath.Join(t.TempDir(), "archives"), Store: store, Logger: slog.New(slog.DiscardHandler)}
}

func readAll(t *testing.T, f *os.File) []byte {
	t.Helper()
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenFetchesOnce: many first downloads at once fetch the archive
// from the database once; later ones read the kept file.
func TestOpenFetchesOnce(t *testing.T) {
	db := newDB(t)
	data, a := archive(postgres.ArchiveChunkSize*3/2 + 5)
	if err := db.PutArchive(t.Context(), a.SHA256, a.Size, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	c := newCache(t, db)
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Go(func() {
			f, err := c.Open(t.Context(), a)
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = readAll(t, f)
		})
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, data) {
			t.Fatalf("download %d: %d bytes, not the archive", i, len(g))
		}
	}
	if n := c.Fetches(); n != 1 {
		t.Fatalf("%d fetches for %d concurrent downloads, want 1", n, len(got))
	}
	f, err := c.Open(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if n := c.Fetches(); n != 1 {
		t.Fatalf("a cached archive was fetched again (%d fetches)", n)
	}
	// Deleting the cache costs one fetch, nothing else.
	if err := os.RemoveAll(c.Dir); err != nil {
		t.Fatal(err)
	}
	if f, err = c.Open(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readAll(t, f), data) || c.Fetches() != 2 {
		t.Fatalf("after deleting the cache: %d fetches", c.Fetches())
	}
}

// TestOpenRefuses: a database copy that is not the version's (damaged,
// or of another size), a blob that is missing: an error, and no file kept.
func TestOpenRefuses(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db := openDB(t, dsn)
	c := newCache(t, db)
	data, a := archive(postgres.ArchiveChunkSize*2 + 100)
	if err := db.PutArchive(t.Context(), a.SHA256, a.Size, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// The last byte of the last chunk flipped: everything before it
	// reads well.
	if _, err := conn.Exec(t.Context(), `UPDATE archive_chunks SET data = set_byte(data, 99, get_byte(data, 99) # 1) WHERE sha256 = $1 AND seq = 2`, a.SHA256); err != nil {
		t.Fatal(err)
	}
	_, absent := archive(10)
	longer := a
	longer.Size++
	longer.Path = "demo/1.0.0/other/" + a.Filename
	for name, tc := range map[string]struct {
		a    glpinet.Archive
		code string
	}{
		"damaged":    {a, glpinet.EINTERNAL},
		"other size": {longer, glpinet.EINTERNAL},
		"no blob":    {absent, glpinet.EUNAVAILABLE},
	} {
		f, err := c.Open(t.Context(), tc.a)
		if err == nil {
			f.Close()
		}
		if glpinet.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
		dir := filepath.Dir(filepath.Join(c.Dir, filepath.FromSlash(tc.a.Path)))
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("%s: files kept: %v", name, left)
		}
	}
	if c.Fetches() != 0 {
		t.Fatalf("%d fetches kept", c.Fetches())
	}

	// A local file of the wrong size is not served.
	local := filepath.Join(c.Dir, filepath.FromSlash(a.Path))
	if err := os.MkdirAll(filepath.Dir(local), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(local, data[:10], 0o640); err != nil {
		t.Fatal(err)
	}
	if f, err := c.Open(t.Context(), a); glpinet.ErrorCode(err) != glpinet.EINTERNAL {
		if f != nil {
			f.Close()
		}
		t.Fatalf("truncated local file: %v, want EINTERNAL", err)
	}
	// A path out of the folder is refused.
	bad := a
	bad.Path = "../escape.zip"
	if _, err := c.Open(t.Context(), bad); err == nil {
		t.Fatal("a path outside the archive folder was opened")
	}
}

// TestOpenDiskOnly: without a database copy (SQLite), the disk is all.
func TestOpenDiskOnly(t *testing.T) {
	c := newCache(t, nil)
	data, a := archive(100)
	if _, err := c.Open(t.Context(), a); glpinet.ErrorCode(err) != glpinet.EINTERNAL {
		t.Fatalf("missing file: %v, want EINTERNAL", err)
	}
	local := filepath.Join(c.Dir, filepath.FromSlash(a.Path))
	os.MkdirAll(filepath.Dir(local), 0o750)
	if err := os.WriteFile(local, data, 0o640); err != nil {
		t.Fatal(err)
	}
	f, err := c.Open(t.Context(), a)
	if err != nil || !bytes.Equal(readAll(t, f), data) {
		t.Fatalf("local file: %v", err)
	}
}

// TestUpload: archives a replica has on disk and the database lacks are
// uploaded; those it lacks too, or whose bytes are wrong, are reported.
func TestUpload(t *testing.T) {
	db := newDB(t)
	c := newCache(t, db)
	ctx := glpinet.WithActor(t.Context(), "test")
	put := func(num string, data []byte, a glpinet.Archive, onDisk bool) glpinet.Archive {
		a.Path = "demo/" + num + "/" + a.SHA256[:16] + "/glpi-demo-" + num + ".zip"
		if err := db.PublishVersion(ctx, &glpinet.Plugin{Key: "demo", Name: "Demo"}, &glpinet.Version{Num: num, Stability: "stable", Archive: a}, false); err != nil {
			t.Fatal(err)
		}
		if onDisk {
			local := filepath.Join(c.Dir, filepath.FromSlash(a.Path))
			os.MkdirAll(filepath.Dir(local), 0o750)
			if err := os.WriteFile(local, data, 0o640); err != nil {
				t.Fatal(err)
			}
		}
		return a
	}
	d1, a1 := archive(postgres.ArchiveChunkSize + 1)
	a1 = put("1.0.0", d1, a1, true)
	_, a2 := archive(100)
	a2 = put("1.1.0", nil, a2, false)
	d3, a3 := archive(100)
	d3[0] ^= 0xff // damaged on disk
	a3 = put("1.2.0", d3, a3, true)

	u, err := c.Upload(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if u.Archives != 1 || u.Bytes != a1.Size || len(u.Absent) != 1 || u.Absent[0] != a2.SHA256 || len(u.Refused) != 1 || u.Refused[0] != a3.SHA256 {
		t.Fatalf("Upload: %+v", u)
	}
	rc, _, err := db.OpenArchive(t.Context(), a1.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, d1) {
		t.Fatal("the uploaded blob is not the file")
	}
	// Again: only what is still missing is looked at.
	if u, err = c.Upload(t.Context()); err != nil || u.Archives != 0 || len(u.Absent) != 1 || len(u.Refused) != 1 {
		t.Fatalf("second Upload: %+v, %v", u, err)
	}
}
