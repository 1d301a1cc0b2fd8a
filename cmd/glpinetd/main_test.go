package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/signing"
)

// testServer is a real glpinetd (Main) on a loopback port, on a SQLite
// database in a temporary directory.
type testServer struct {
	*Main
	dir  string
	keys map[string]string // offer reference → a raw key whose running offer it is
	logs *syncBuffer
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// seeder fills the database before the server starts.
type seeder func(t *testing.T, ctx context.Context, db Store, pub *publish.Publisher)

// startServer seeds a database with one account per default offer (each
// with a key) plus whatever seed adds, then starts Main on it.
func startServer(t *testing.T, seed seeder) *testServer {
	t.Helper()
	return startServerWith(t, seed, nil)
}

// startServerWith is startServer with configure called on Main before it
// opens (limits, proxies).
func startServerWith(t *testing.T, seed seeder, configure func(*Main)) *testServer {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "test")
	ts := &testServer{dir: t.TempDir(), keys: map[string]string{}, logs: &syncBuffer{}}
	sf := storeFlags{data: filepath.Join(ts.dir, "data")}
	db, err := sf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range glpinet.DefaultOffers() {
		a := &glpinet.Account{Name: "Customer " + o.Reference}
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		if o.Reference != glpinet.FreeOfferReference {
			end := time.Now().AddDate(1, 0, 0)
			if err := db.CreateSubscription(ctx, &glpinet.Subscription{AccountID: a.ID, OfferRef: o.Reference, Begin: time.Now().Add(-time.Hour), End: &end}); err != nil {
				t.Fatal(err)
			}
		}
		raw, k, err := newKey(a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		ts.keys[o.Reference] = raw
	}
	if seed != nil {
		signer, err := signing.LoadOrCreate(sf.signingKeyPath())
		if err != nil {
			t.Fatal(err)
		}
		seed(t, ctx, db, &publish.Publisher{Store: db, ArchiveDir: sf.archiveDir(), Limits: pluginarchive.DefaultLimits(), SigningKey: signer})
	}
	db.Close()

	ts.Main = &Main{Addr: "127.0.0.1:0", Store: sf, PollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(ts.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if configure != nil {
		configure(ts.Main)
	}
	if err := ts.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ts.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return ts
}

// glpi returns a client that behaves as GLPI 'version' with the key of
// the given offer ("" for no key).
func (ts *testServer) glpi(offer, version string) *client.GLPI {
	return &client.GLPI{BaseURL: ts.URL(), Key: ts.keys[offer], UID: "Abcdefghij0123456789abcdefghij0123456789",
		Version: version, InstallMode: "TARBALL", Lang: "en"}
}

// eventually retries check until it returns nil or 5 seconds pass: for
// effects that the server applies asynchronously (change feed polling).
func eventually(t *testing.T, check func() error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func publishOrFail(t *testing.T, ctx context.Context, pub *publish.Publisher, p testkit.Plugin, opts glpinet.PublishOptions) *glpinet.PublishResult {
	t.Helper()
	res, err := pub.Publish(ctx, testkit.Archive(t, t.TempDir(), p), opts)
	if err != nil {
		t.Fatalf("publish %s %s: %v", p.Key, p.Version, err)
	}
	return res
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipReader(b []byte) (io.Reader, error) { return gzip.NewReader(bytes.NewReader(b)) }
