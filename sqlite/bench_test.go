package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/glpinet/glpinet/storetest"
)

// BenchmarkFindKeyRecord reads keys at random among 100,000: the
// validator's cold path.
func BenchmarkFindKeyRecord(b *testing.B) {
	db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "glpinet.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	storetest.BenchmarkFindKeyRecord(b, db)
}

// BenchmarkCheck runs Check (PRAGMA quick_check) on a database of
// 1,000,000 keys, as glpinetd serve does at start and every 10 minutes:
// go test -run '^$' -bench Check -benchtime 3x ./sqlite/
func BenchmarkCheck(b *testing.B) {
	ctx := glpinet.WithActor(b.Context(), "test")
	path := filepath.Join(b.TempDir(), "glpinet.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	a := &glpinet.Account{Name: "ACME"}
	if err := db.CreateAccount(ctx, a); err != nil {
		b.Fatal(err)
	}
	const keys, batch = 1_000_000, 100_000
	for i := 0; i < keys; i += batch {
		ks := make([]*glpinet.RegistrationKey, batch)
		for j := range ks {
			raw, err := glpinet.GenerateKey()
			if err != nil {
				b.Fatal(err)
			}
			ks[j] = &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw), Label: "bulk"}
		}
		if err := db.CreateKeys(ctx, ks); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if err := db.Check(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
	}
}
