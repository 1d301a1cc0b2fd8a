package cache

import (
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
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
