package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
)

// committed is what a writer has committed so far, in order.
type committed struct {
	mu       sync.Mutex
	accounts []int64
	keys     [][32]byte
}

func (c *committed) add(account int64, key [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.accounts = append(c.accounts, account)
	c.keys = append(c.keys, key)
}

func (c *committed) snapshot() ([]int64, [][32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accounts[:len(c.accounts):len(c.accounts)], c.keys[:len(c.keys):len(c.keys)]
}

func (c *committed) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.accounts)
}

// writeUntil creates an account and a key after the other through db
// until stop is closed, recording each once committed.
func writeUntil(t *testing.T, ctx context.Context, db *sqlite.DB, stop <-chan struct{}, c *committed) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		a := &glpinet.Account{Name: fmt.Sprintf("Writer %d", i)}
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Errorf("writer: %v", err)
			return
		}
		raw, err := glpinet.GenerateKey()
		if err != nil {
			t.Error(err)
			return
		}
		k := &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)}
		if err := db.CreateKey(ctx, k); err != nil {
			t.Errorf("writer: %v", err)
			return
		}
		c.add(a.ID, k.Hash)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := glpinet.WithActor(t.Context(), "test")
	dir := t.TempDir()
	src := filepath.Join(dir, "glpinet.db")
	db, err := sqlite.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Enough rows for the copy to take a while, so that the writer
	// commits during it.
	a := &glpinet.Account{Name: "Bulk"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	var bulk []*glpinet.RegistrationKey
	for range 5000 {
		raw, err := glpinet.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		bulk = append(bulk, &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)})
	}
	if err := db.CreateKeys(ctx, bulk); err != nil {
		t.Fatal(err)
	}

	var c committed
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		writeUntil(t, ctx, db, stop, &c)
	}()
	for c.len() < 20 {
		time.Sleep(time.Millisecond)
	}
	accounts, keys := c.snapshot()
	dst := filepath.Join(dir, "backup", "glpinet.db")
	if err := os.Mkdir(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	snap, err := sqlite.Backup(ctx, src, dst)
	during := c.len() - len(accounts)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup of %d bytes; the writer committed %d account+key pairs during it", snap.Size, during)
	if during == 0 {
		t.Fatal("the writer committed nothing while the backup ran: the backup blocks writers")
	}

	if snap.Integrity != "ok" || snap.SchemaVersion != sqlite.SchemaVersion() || snap.Path != dst {
		t.Fatalf("snapshot %+v, want integrity ok, schema version %d, path %s", snap, sqlite.SchemaVersion(), dst)
	}
	if n := snap.Rows["registration_keys"]; n < int64(5000+len(keys)) || n > int64(5000+c.len()) {
		t.Fatalf("%d keys in the backup, want between %d (before) and %d (after)", n, 5000+len(keys), 5000+c.len())
	}
	if entries, _ := os.ReadDir(filepath.Dir(dst)); len(entries) != 1 {
		t.Fatalf("backup folder holds %v, want only glpinet.db", entries)
	}
	again, err := sqlite.Inspect(ctx, dst)
	if err != nil || again.Integrity != "ok" {
		t.Fatalf("Inspect: %+v, %v", again, err)
	}

	// The copy opens as a store (in a folder of its own, as a restore
	// would put it) and holds every row committed before the backup.
	restored := filepath.Join(dir, "restored", "glpinet.db")
	if err := os.MkdirAll(filepath.Dir(restored), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, readFile(t, dst), 0o640); err != nil {
		t.Fatal(err)
	}
	rdb, err := sqlite.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	for i, id := range accounts {
		if _, err := rdb.FindAccountByID(ctx, id); err != nil {
			t.Fatalf("account %d, committed before the backup: %v", id, err)
		}
		if rec, err := rdb.FindKeyRecord(ctx, keys[i]); err != nil || rec.Key.AccountID != id {
			t.Fatalf("key of account %d, committed before the backup: %+v, %v", id, rec, err)
		}
	}
}

func TestBackupRefuses(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	src := filepath.Join(dir, "glpinet.db")
	db, err := sqlite.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// An existing file is never replaced.
	dst := filepath.Join(dir, "out", "glpinet.db")
	os.Mkdir(filepath.Dir(dst), 0o700)
	if err := os.WriteFile(dst, []byte("previous backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Backup(ctx, src, dst); glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		t.Fatalf("backup over a file: %v, want ECONFLICT", err)
	}
	if got := string(readFile(t, dst)); got != "previous backup" {
		t.Fatalf("the existing file was changed: %q", got)
	}

	// Interrupted: no partial file is left, under any name.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	fresh := filepath.Join(dir, "out", "new.db")
	if _, err := sqlite.Backup(cancelled, src, fresh); err == nil {
		t.Fatal("backup with a cancelled context succeeded")
	}
	if entries, _ := os.ReadDir(filepath.Dir(fresh)); len(entries) != 1 {
		t.Fatalf("after an interrupted backup the folder holds %v, want only the previous file", entries)
	}

	// No database: nothing is created.
	if _, err := sqlite.Backup(ctx, filepath.Join(dir, "nosuch.db"), filepath.Join(dir, "out", "x.db")); err == nil {
		t.Fatal("backup of a missing database succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "nosuch.db")); err == nil {
		t.Fatal("backing up a missing database created it")
	}
}

func TestInUse(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "glpinet.db")
	if inUse, err := sqlite.InUse(ctx, path); inUse || err != nil {
		t.Fatalf("missing file: InUse = %v, %v; want false", inUse, err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Idle, as a server between requests: still in use.
	if inUse, err := sqlite.InUse(ctx, path); !inUse || err != nil {
		t.Fatalf("open store: InUse = %v, %v; want true", inUse, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if inUse, err := sqlite.InUse(ctx, path); inUse || err != nil {
		t.Fatalf("closed store: InUse = %v, %v; want false", inUse, err)
	}
	// A file that is no database cannot be in use, and must not stop a
	// restore over it.
	if err := os.WriteFile(path, []byte("this is not a database, and it is long enough to have a header....................................................."), 0o600); err != nil {
		t.Fatal(err)
	}
	if inUse, err := sqlite.InUse(ctx, path); inUse || err != nil {
		t.Fatalf("garbage: InUse = %v, %v; want false", inUse, err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
