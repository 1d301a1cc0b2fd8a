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

// TestCopySpeed copies GLPINET_DBCOPY_KEYS registration keys (e.g.
// 1000000, the benchmark's seed) and logs the speed; it is skipped when the
// variable is unset. Run it with -v:
//
//	GLPINET_DBCOPY_KEYS=1000000 go test -v -run CopySpeed ./dbcopy
func TestCopySpeed(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GLPINET_DBCOPY_KEYS"))
	if n <= 0 {
		t.Skip("set GLPINET_DBCOPY_KEYS to the number of keys to copy")
	}
	src, _ := newSource(t)
	ctx := t.Context()
	a := &glpinet.Account{Name: "Bench"}
	if err := src.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
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
			t.Fatal(err)
		}
	}
	res, err := dbcopy.Copy(ctx, dbcopy.Options{From: src.Path(), To: pgtest.NewDatabase(t), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows in %s: snapshot %s, copy %s (%.0f rows/s), verification %s",
		res.Rows, res.Total, res.Snapshot, res.Copy, res.RowsPerSecond(), res.Verify)
}
