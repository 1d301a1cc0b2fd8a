package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/backup"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/sqlite"
)

// runCLI runs one glpinetd command line in this process.
func runCLI(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestBackupRestore backs up a serving server's data while a writer keeps
// creating accounts and keys, restores it into a fresh data directory, and
// checks the restored server: every row committed before the backup, an
// intact database, keys that validate through the GLPI API, the same
// signing key and downloadable, verifiable archives.
func TestBackupRestore(t *testing.T) {
	ts := startServer(t, func(t *testing.T, ctx context.Context, db Store, pub *publish.Publisher) {
		publishOrFail(t, ctx, pub, testkit.Plugin{Key: "kept", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "12.0.0"}, glpinet.PublishOptions{})
	})
	ctx := glpinet.WithActor(t.Context(), "test")
	data := filepath.Join(ts.dir, "data")

	// The writer goes through the serving store for the whole backup.
	type pair struct {
		account int64
		key     string
	}
	var (
		mu     sync.Mutex
		pairs  []pair
		stop   = make(chan struct{})
		done   = make(chan struct{})
		writes = func() []pair { mu.Lock(); defer mu.Unlock(); return pairs[:len(pairs):len(pairs)] }
	)
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			a := &glpinet.Account{Name: fmt.Sprintf("During backup %d", i)}
			if err := ts.DB.CreateAccount(ctx, a); err != nil {
				t.Errorf("writer: %v", err)
				return
			}
			raw, k, err := newKey(a.ID, "")
			if err != nil {
				t.Error(err)
				return
			}
			if err := ts.DB.CreateKey(ctx, k); err != nil {
				t.Errorf("writer: %v", err)
				return
			}
			mu.Lock()
			pairs = append(pairs, pair{a.ID, raw})
			mu.Unlock()
		}
	}()
	for len(writes()) < 10 {
		time.Sleep(time.Millisecond)
	}
	before := writes()
	out := filepath.Join(t.TempDir(), "backups", "nightly")
	code, stdout, stderr := runCLI(ctx, "backup", "--out", out, "--data", data, "--json")
	close(stop)
	<-done
	if code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	var res backupResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("backup --json: %v\n%s", err, stdout)
	}
	t.Logf("backup: %s in %.1f ms; %d writes before, %d during", sizeText(res.Size), res.DurationMS, len(before), len(writes())-len(before))
	if res.Path != out || res.Database.Integrity != "ok" || res.Database.SchemaVersion != sqlite.SchemaVersion() ||
		res.SigningKey == nil || res.Archives.Files != 1 || len(res.Archives.Missing) != 0 ||
		res.Database.Rows["registration_keys"] < int64(len(before)+4) {
		t.Fatalf("backup result: %s", stdout)
	}
	for _, f := range []string{"glpinet.db", "signing.key", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Fatalf("next to the backup: %v, want the backup alone (no temporary left)", entries)
	}

	// A second backup under the same name is refused and changes nothing.
	if code, _, stderr := runCLI(ctx, "backup", "--out", out, "--data", data); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Fatalf("backup over a backup: exit %d, %s", code, stderr)
	}

	// Restoring over the data of the running server is refused, even with
	// --force, and changes nothing.
	if code, _, stderr := runCLI(ctx, "restore", "--from", out, "--data", data, "--force"); code != 1 || !strings.Contains(stderr, "in use by a running glpinetd") {
		t.Fatalf("restore over a running server: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "glpinet.db")); err != nil {
		t.Fatal(err)
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	if code, stdout, stderr := runCLI(ctx, "restore", "--from", out, "--data", fresh); code != 0 {
		t.Fatalf("restore: exit %d: %s%s", code, stdout, stderr)
	}
	snap, err := sqlite.Inspect(ctx, filepath.Join(fresh, "glpinet.db"))
	if err != nil || snap.Integrity != "ok" {
		t.Fatalf("restored database: %+v, %v", snap, err)
	}
	if !bytes.Equal(readFile(t, filepath.Join(fresh, "signing.key")), readFile(t, filepath.Join(data, "signing.key"))) {
		t.Fatal("the restored signing key differs")
	}

	// Every row committed before the backup started is there.
	db, err := sqlite.Open(ctx, filepath.Join(fresh, "glpinet.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range before {
		if rec, err := db.FindKeyRecord(ctx, glpinet.HashKey(p.key)); err != nil || rec.Key.AccountID != p.account {
			t.Fatalf("key of account %d, committed before the backup: %+v, %v", p.account, rec, err)
		}
	}
	db.Close()

	// The restored server validates keys issued before the backup through
	// the GLPI API, signs with the same key, and serves the archives.
	restored := &Main{Addr: "127.0.0.1:0", Store: storeFlags{data: fresh}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := restored.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	for _, tc := range []struct{ key, offer string }{
		{ts.keys["advanced"], "advanced"},
		{before[len(before)-1].key, "registered"},
	} {
		g := ts.glpi("advanced", "10.0.16")
		g.BaseURL, g.Key = restored.URL(), tc.key
		in, _, err := g.RegistrationInfo(ctx)
		if err != nil || !in.IsValid || in.Code != "VALID" || in.Subscription == nil || in.Subscription.OfferReference != tc.offer {
			t.Fatalf("restored server, key with offer %s: %+v, %v", tc.offer, in, err)
		}
	}
	g := ts.glpi("advanced", "10.0.16")
	g.BaseURL = restored.URL()
	pub, err := g.SigningKey(ctx)
	if err != nil || !pub.Equal(ts.HTTP.SigningKey) {
		t.Fatalf("restored signing key %x, %v; want %x", pub, err, ts.HTTP.SigningKey)
	}
	plugins, _, err := g.Plugins(ctx)
	if err != nil || len(plugins) != 1 || len(plugins[0].Versions) != 1 || plugins[0].Versions[0].DownloadURL == nil {
		t.Fatalf("restored catalogue: %+v, %v", plugins, err)
	}
	v := plugins[0].Versions[0]
	var archive bytes.Buffer
	if _, n, err := g.Download(ctx, *v.DownloadURL, &archive); err != nil || n != v.Size {
		t.Fatalf("download from the restored server: %d bytes, %v", n, err)
	}
	sig, _ := base64.StdEncoding.DecodeString(v.Signature)
	sum := sha256.Sum256(archive.Bytes())
	x := pluginarchive.Expected{Key: plugins[0].Key, Version: v.Num, Size: v.Size, SHA256: v.SHA256, Signature: sig, PublicKey: ed25519.PublicKey(pub)}
	if err := x.Verify(int64(archive.Len()), sum[:]); err != nil {
		t.Fatal(err)
	}
	restored.Close()

	// Over existing data, restore wants --force and keeps what it replaces.
	if code, _, stderr := runCLI(ctx, "restore", "--from", out, "--data", fresh); code != 1 || !strings.Contains(stderr, "--force") {
		t.Fatalf("restore over data: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = runCLI(ctx, "restore", "--from", out, "--data", fresh, "--force", "--json")
	var rr backup.Restored
	if code != 0 || json.Unmarshal([]byte(stdout), &rr) != nil || len(rr.SetAside) != 1 || !strings.Contains(rr.SetAside[0], ".before-restore-") {
		t.Fatalf("restore --force: exit %d: %s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(rr.SetAside[0]); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreChecks: a backup that does not match its manifest, or a
// folder that is no backup, is refused before anything is written; a
// destroyed database is replaced with --force.
func TestRestoreChecks(t *testing.T) {
	ctx := t.Context()
	data := filepath.Join(t.TempDir(), "data")
	if code, _, stderr := runCLI(ctx, "account", "create", "ACME", "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(t.TempDir(), "b")
	if code, _, stderr := runCLI(ctx, "backup", "--out", out, "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	f, err := os.OpenFile(filepath.Join(out, "glpinet.db"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("trailing garbage"))
	f.Close()
	fresh := filepath.Join(t.TempDir(), "fresh")
	if code, _, stderr := runCLI(ctx, "restore", "--from", out, "--data", fresh); code != 1 || !strings.Contains(stderr, "damaged") {
		t.Fatalf("restore of a damaged backup: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Fatal("a refused restore created the data directory")
	}
	if code, _, stderr := runCLI(ctx, "restore", "--from", data, "--data", fresh); code != 1 || !strings.Contains(stderr, "not a glpinetd backup") {
		t.Fatalf("restore from a data directory: exit %d, %s", code, stderr)
	}

	// A destroyed database is what restore --force is for.
	good := filepath.Join(t.TempDir(), "good")
	if code, _, stderr := runCLI(ctx, "backup", "--out", good, "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	if err := os.WriteFile(filepath.Join(data, "glpinet.db"), bytes.Repeat([]byte("lost "), 1000), 0o640); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runCLI(ctx, "restore", "--from", good, "--data", data, "--force"); code != 0 || !strings.Contains(stdout, "before-restore") {
		t.Fatalf("restore --force over a destroyed database: exit %d: %s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI(ctx, "account", "list", "--data", data); code != 0 || !strings.Contains(stdout, "ACME") {
		t.Fatalf("account list after the restore: exit %d: %s%s", code, stdout, stderr)
	}
}
