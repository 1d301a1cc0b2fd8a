package postgres_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/postgres"
	"github.com/jackc/pgx/v5"
)

// blob returns n random bytes and their SHA-256 in hex.
func blob(n int) ([]byte, string) {
	b := make([]byte, n)
	rand.Read(b)
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// readArchive reads the blob sum back whole.
func readArchive(t *testing.T, db *postgres.DB, sum string) ([]byte, int64, error) {
	t.Helper()
	rc, size, err := db.OpenArchive(t.Context(), sum)
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, size, err
}

// connect is a plain connection to the test's database, to look at and
// damage the stored rows.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// chunks returns the sequence numbers and lengths of the blob's chunks.
func chunks(t *testing.T, conn *pgx.Conn, sum string) [][2]int64 {
	t.Helper()
	rows, err := conn.Query(t.Context(), `SELECT seq, length(data) FROM archive_chunks WHERE sha256 = $1 ORDER BY seq`, sum)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int64, error) {
		var c [2]int64
		return c, r.Scan(&c[0], &c[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// failingReader fails the test if it is read: a stored blob is not read
// again.
type failingReader struct{ t *testing.T }

func (f failingReader) Read([]byte) (int, error) {
	f.t.Error("PutArchive read a blob that is stored already")
	return 0, io.ErrUnexpectedEOF
}

func TestArchivePutOpen(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, conn := open(t, dsn), connect(t, dsn)
	ctx := t.Context()

	// Two and a half chunks: the last one shorter, the order matters.
	data, sum := blob(postgres.ArchiveChunkSize*2 + postgres.ArchiveChunkSize/2)
	if err := db.PutArchive(ctx, sum, int64(len(data)), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	got, size, err := readArchive(t, db, sum)
	if err != nil || size != int64(len(data)) || !bytes.Equal(got, data) {
		t.Fatalf("read back: %d bytes (size %d), equal %v, %v", len(got), size, bytes.Equal(got, data), err)
	}
	want := [][2]int64{{0, postgres.ArchiveChunkSize}, {1, postgres.ArchiveChunkSize}, {2, postgres.ArchiveChunkSize / 2}}
	if c := chunks(t, conn, sum); len(c) != 3 || c[0] != want[0] || c[1] != want[1] || c[2] != want[2] {
		t.Fatalf("chunks %v, want %v", c, want)
	}

	// Idempotent: the same blob again is not read, and changes nothing.
	if err := db.PutArchive(ctx, sum, int64(len(data)), failingReader{t}); err != nil {
		t.Fatalf("second put: %v", err)
	}
	if c := chunks(t, conn, sum); len(c) != 3 {
		t.Fatalf("after a second put: %v", c)
	}

	// An empty archive is a blob without chunks.
	_, empty := blob(0)
	if err := db.PutArchive(ctx, empty, 0, bytes.NewReader(nil)); err != nil {
		t.Fatal(err)
	}
	if got, size, err := readArchive(t, db, empty); err != nil || size != 0 || len(got) != 0 {
		t.Fatalf("empty blob: %d bytes, size %d, %v", len(got), size, err)
	}

	// Missing blob.
	_, absent := blob(10)
	if _, _, err := db.OpenArchive(ctx, absent); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("OpenArchive of a missing blob: %v, want ENOTFOUND", err)
	}
}

func TestArchivePutRefusesWrongBytes(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, conn := open(t, dsn), connect(t, dsn)
	ctx := t.Context()
	data, sum := blob(postgres.ArchiveChunkSize + 10)
	other, _ := blob(len(data))
	for name, put := range map[string]func() error{
		"other bytes": func() error { return db.PutArchive(ctx, sum, int64(len(data)), bytes.NewReader(other)) },
		"too short":   func() error { return db.PutArchive(ctx, sum, int64(len(data)), bytes.NewReader(data[:len(data)-1])) },
		"too long":    func() error { return db.PutArchive(ctx, sum, int64(len(data)-1), bytes.NewReader(data)) },
		"bad name":    func() error { return db.PutArchive(ctx, "abc", int64(len(data)), bytes.NewReader(data)) },
	} {
		if err := put(); glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	// Nothing of the refused puts stayed.
	var n int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM archive_blobs) + (SELECT count(*) FROM archive_chunks)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows left by refused puts (%v)", n, err)
	}
	// A reader that fails: its error comes back, nothing is stored.
	boom := errors.New("disk read failed")
	if err := db.PutArchive(ctx, sum, int64(len(data)), io.MultiReader(bytes.NewReader(data[:100]), errReader{boom})); !errors.Is(err, boom) {
		t.Fatalf("failing reader: %v", err)
	}
	if _, _, err := db.OpenArchive(ctx, sum); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("after the failed put: %v, want ENOTFOUND", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestArchiveDamagedChunks: a reader never returns a chunk out of place: a
// missing chunk or one of the wrong length fails the read.
func TestArchiveDamagedChunks(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, conn := open(t, dsn), connect(t, dsn)
	ctx := t.Context()
	data, sum := blob(postgres.ArchiveChunkSize * 3)
	if err := db.PutArchive(ctx, sum, int64(len(data)), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `UPDATE archive_chunks SET data = substr(data, 1, 100) WHERE sha256 = $1 AND seq = 1`, sum); err != nil {
		t.Fatal(err)
	}
	got, _, err := readArchive(t, db, sum)
	if glpinet.ErrorCode(err) != glpinet.EINTERNAL || len(got) != postgres.ArchiveChunkSize {
		t.Fatalf("short chunk: read %d bytes, %v; want the first chunk, then an error", len(got), err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM archive_chunks WHERE sha256 = $1 AND seq = 1`, sum); err != nil {
		t.Fatal(err)
	}
	if got, _, err = readArchive(t, db, sum); glpinet.ErrorCode(err) != glpinet.EINTERNAL || len(got) != postgres.ArchiveChunkSize {
		t.Fatalf("missing chunk: read %d bytes, %v", len(got), err)
	}
}

// TestArchiveConcurrentPut stores the same blob from several replicas at
// once: each put succeeds, one set of chunks is stored.
func TestArchiveConcurrentPut(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, conn := open(t, dsn), connect(t, dsn)
	data, sum := blob(postgres.ArchiveChunkSize + 1)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = db.PutArchive(t.Context(), sum, int64(len(data)), bytes.NewReader(data)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("put %d: %v", i, err)
		}
	}
	if c := chunks(t, conn, sum); len(c) != 2 {
		t.Fatalf("chunks %v, want 2", c)
	}
}

// TestPublishVersionArchive: the blob and the version in one transaction;
// a refused publication leaves no blob; versions without one are listed.
func TestPublishVersionArchive(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, conn := open(t, dsn), connect(t, dsn)
	ctx := glpinet.WithActor(t.Context(), "test")
	version := func(num string, data []byte, sum string) *glpinet.Version {
		return &glpinet.Version{Num: num, Stability: "stable", Archive: glpinet.Archive{
			Filename: "glpi-demo-" + num + ".zip", Format: "zip", Size: int64(len(data)), SHA256: sum, Path: "demo/" + num + "/" + sum[:16] + "/glpi-demo-" + num + ".zip"}}
	}
	plugin := func() *glpinet.Plugin { return &glpinet.Plugin{Key: "demo", Name: "Demo"} }
	blobs := func() int {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM archive_blobs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	data, sum := blob(3000)
	if err := db.PublishVersionArchive(ctx, plugin(), version("1.0.0", data, sum), false, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if got, _, err := readArchive(t, db, sum); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the published blob: %v", err)
	}
	if v, err := db.FindVersion(ctx, "demo", "1.0.0"); err != nil || v.Archive.SHA256 != sum {
		t.Fatalf("the published version: %+v, %v", v, err)
	}

	// Refused by the store: the version exists, an offer is unknown, the
	// bytes are not the version's. No blob stays.
	other, otherSum := blob(4000)
	if err := db.PublishVersionArchive(ctx, plugin(), version("1.0.0", other, otherSum), false, bytes.NewReader(other)); glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		t.Fatalf("existing version: %v, want ECONFLICT", err)
	}
	v := version("1.1.0", other, otherSum)
	v.RequiredOffers = []string{"nosuchoffer"}
	if err := db.PublishVersionArchive(ctx, plugin(), v, false, bytes.NewReader(other)); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("unknown offer: %v, want EINVALID", err)
	}
	if err := db.PublishVersionArchive(ctx, plugin(), version("1.1.0", other, otherSum), false, bytes.NewReader(data)); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("wrong bytes: %v, want EINVALID", err)
	}
	if _, err := db.FindVersion(ctx, "demo", "1.1.0"); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("a refused version was stored: %v", err)
	}
	if n := blobs(); n != 1 {
		t.Fatalf("%d blobs after refused publications, want 1", n)
	}

	// A version published without its blob (as before the database kept
	// archives) is listed as missing until its blob is put.
	if err := db.PublishVersion(ctx, plugin(), version("1.2.0", other, otherSum), false); err != nil {
		t.Fatal(err)
	}
	missing, err := db.MissingArchives(ctx)
	if err != nil || len(missing) != 1 || missing[0].SHA256 != otherSum || missing[0].Size != int64(len(other)) || missing[0].Path == "" {
		t.Fatalf("MissingArchives: %+v, %v", missing, err)
	}
	if err := db.PutArchive(ctx, otherSum, int64(len(other)), bytes.NewReader(other)); err != nil {
		t.Fatal(err)
	}
	if missing, err := db.MissingArchives(ctx); err != nil || len(missing) != 0 {
		t.Fatalf("MissingArchives after the put: %+v, %v", missing, err)
	}
}
