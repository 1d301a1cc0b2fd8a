package cache

import (
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
	"golang.org/x/time/rate"
)

// sqliteValidator returns a validator over a real SQLite store holding n
// keys of one account.
func sqliteValidator(tb testing.TB, n int) (*Validator, *testClock) {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "glpinet.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	ctx := glpinet.WithActor(tb.Context(), "test:cache")
	a := &glpinet.Account{Name: "ACME"}
	if err := db.CreateAccount(ctx, a); err != nil {
		tb.Fatal(err)
	}
	keys := make([]*glpinet.RegistrationKey, n)
	for i := range keys {
		keys[i] = &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey("gnk_seed_" + strconv.Itoa(i)), Prefix: "gnk_seed"}
	}
	if err := db.CreateKeys(ctx, keys); err != nil {
		tb.Fatal(err)
	}
	clock := &testClock{t: time.Now()}
	return NewValidator(db, clock.Now, nil), clock
}

// BenchmarkLoadKeys reads the key set from SQLite holding 100,000 keys:
// what starting a server, or a Reset, costs per key.
func BenchmarkLoadKeys(b *testing.B) {
	const n = 100_000
	v, _ := sqliteValidator(b, n)
	v.log = slog.New(slog.DiscardHandler)
	for b.Loop() {
		if err := v.LoadKeys(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/key")
}

// TestBulkKeysReachValidator: keys that another process stores with
// CreateKeys (glpinetd key bulk-issue) validate once the watcher has
// polled the feed, although the key set was current and no re-check budget
// was left; before, they were unknown.
func TestBulkKeysReachValidator(t *testing.T) {
	v, _ := sqliteValidator(t, 100)
	ctx := glpinet.WithActor(t.Context(), "test:cache")
	db := v.store.(*sqlite.DB)
	w := &Watcher{Feed: db, Followers: []Follower{v}, Interval: time.Second, Log: slog.New(slog.DiscardHandler)}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := v.LoadKeys(ctx); err != nil {
		t.Fatal(err)
	}
	seed, err := db.FindKeyRecord(ctx, glpinet.HashKey("gnk_seed_0"))
	if err != nil {
		t.Fatal(err)
	}
	v.Rechecks = rate.NewLimiter(0, 0) // no budget at all
	raws := unknownKeys(t, 1000)
	keys := make([]*glpinet.RegistrationKey, len(raws))
	for i, raw := range raws {
		keys[i] = &glpinet.RegistrationKey{AccountID: seed.Account.ID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw), Label: "bulk"}
	}
	if err := db.CreateKeys(ctx, keys); err != nil {
		t.Fatal(err)
	}
	if _, current := v.keys.has(keys[0].Hash); !current {
		t.Fatal("the key set is not current")
	}
	wantBusy(t, v, raws[0])
	if err := w.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, raw := range raws {
		wantCode(t, v, raw, glpinet.ValidationValid)
	}
}
