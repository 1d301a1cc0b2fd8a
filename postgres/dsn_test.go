package postgres_test

import (
	"strings"
	"testing"

	"github.com/glpinet/glpinet/postgres"
)

func TestDSN(t *testing.T) {
	for s, want := range map[string]bool{
		"postgres://u@h/db":                           true,
		"postgresql://u@h/db":                         true,
		"host=127.0.0.1 user=postgres dbname=glpinet": true,
		"dbname=glpinet":                              true,
		"data/glpinet.db":                             false,
		"/var/lib/glpinet/glpinet.db":                 false,
		"sqlite:glpinet.db":                           false,
	} {
		if got := postgres.IsDSN(s); got != want {
			t.Errorf("IsDSN(%q) = %v, want %v", s, got, want)
		}
	}
	for _, dsn := range []string{
		"postgres://glpinet:hunter2@db/glpinet",
		"postgres://db/glpinet?sslmode=disable&password=hunter2",
		"host=db user=glpinet password=hunter2 dbname=glpinet",
		"host=db password='hunter2 x' dbname=glpinet",
	} {
		if r := postgres.Redact(dsn); strings.Contains(r, "hunter2") || !strings.Contains(r, "db") {
			t.Errorf("Redact(%q) = %q", dsn, r)
		}
	}
}
