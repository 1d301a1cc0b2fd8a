package postgres_test

import (
	"testing"

	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/storetest"
)

// BenchmarkFindKeyRecord reads keys at random among 100,000: the
// validator's cold path, one round trip per call.
func BenchmarkFindKeyRecord(b *testing.B) {
	db := open(b, pgtest.NewDatabase(b))
	storetest.BenchmarkFindKeyRecord(b, db)
}

// BenchmarkCreateKeys stores 100,000 keys in one CreateKeys call.
func BenchmarkCreateKeys(b *testing.B) {
	db := open(b, pgtest.NewDatabase(b))
	storetest.BenchmarkCreateKeys(b, db)
}
