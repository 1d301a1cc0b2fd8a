package sqlite_test

import (
	"path/filepath"
	"testing"

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
