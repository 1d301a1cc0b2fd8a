package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/glpinet/glpinet/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) glpinet.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "glpinet.db"))
		if err != nil {
			t.Fatal(err)
		}
		db.Now = now
		t.Cleanup(func() { db.Close() })
		return db
	})
}
