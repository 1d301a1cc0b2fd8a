package dbcopy_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/dbcopy"
	"github.com/glpinet/glpinet/internal/pgtest"
)

// BenchmarkCopy copies a database of registration keys (100,000, or
// GLPINET_DBCOPY_KEYS, e.g. 1000000 as bench/run.sh seeds) into a fresh
// PostgreSQL database per iteration, and reports rows per second:
//
//	GLPINET_DBCOPY_KEYS=1000000 go test -run '^$' -bench Copy -benchtime 1x ./dbcopy
func BenchmarkCopy(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("GLPINET_DBCOPY_KEYS")); err == nil && v > 0 {
		n = v
	}
	src, _ := newSource(b)
	ctx := b.Context()
	a := &glpinet.Account{Name: "Bench"}
	if err := src.CreateAccount(ctx, a); err != nil {
		b.Fatal(err)
	}
	// Hashes of counters, not generated keys: the copy does not care, and
	// seeding is faster.
	const batch = 50_000
	for done := 0; done < n; done += batch {
		keys := make([]*glpinet.RegistrationKey, min(batch, n-done))
		for i := range keys {
			keys[i] = &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(fmt.Sprint("gnk_", done+i)), Prefix: "gnk_", Label: "bulk"}
		}
		if err := src.CreateKeys(ctx, keys); err != nil {
			b.Fatal(err)
		}
	}
	var res *dbcopy.Result
	for b.Loop() {
		b.StopTimer()
		to := pgtest.NewDatabase(b)
		b.StartTimer()
		var err error
		if res, err = dbcopy.Copy(ctx, dbcopy.Options{From: src.Path(), To: to, TempDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.RowsPerSecond(), "rows/s")
	b.Logf("%d rows in %s: snapshot %s, copy %s, verification %s", res.Rows, res.Total, res.Snapshot, res.Copy, res.Verify)
}
