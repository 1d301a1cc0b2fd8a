package dbcopy_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/dbcopy"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// targetRows counts the rows of every table of the target but goose's.
func targetRows(t *testing.T, dsn string) map[string]int64 {
	t.Helper()
	ctx := context.WithoutCancel(t.Context())
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{n}.Sanitize()).Scan(&c); err != nil {
			t.Fatal(err)
		}
		counts[n] = c
	}
	return counts
}

// emptyTarget is what a target holds after postgres.Open: the default
// offers, nothing else.
func emptyTarget(t *testing.T, dsn string) map[string]int64 {
	t.Helper()
	openTarget(t, dsn).Close()
	rows := targetRows(t, dsn)
	for name, n := range rows {
		if (name == "offers") != (n > 0) {
			t.Fatalf("a new target holds %d rows in %s", n, name)
		}
	}
	return rows
}

func TestCopyRefusesTargetWithData(t *testing.T) {
	src, c := newSource(t)
	populate(t, src, c)
	dsn := pgtest.NewDatabase(t)
	if _, err := dbcopy.Copy(t.Context(), dbcopy.Options{From: src.Path(), To: dsn, TempDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	want := targetRows(t, dsn)
	_, err := dbcopy.Copy(t.Context(), dbcopy.Options{From: src.Path(), To: dsn, TempDir: t.TempDir()})
	if glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), "already holds data (in accounts, ") {
		t.Fatalf("second copy: %v, want EINVALID: already holds data", err)
	}
	if got := targetRows(t, dsn); !cmp.Equal(want, got) {
		t.Errorf("a refused copy changed the target: %s", cmp.Diff(want, got))
	}

	// One row anywhere is enough (here where no foreign key leads).
	dsn = pgtest.NewDatabase(t)
	db := openTarget(t, dsn)
	if err := db.AddDownloads(t.Context(), "none", 1); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatal(err)
	}
	if err := db.SaveTag(t.Context(), &glpinet.Tag{Key: "stray", Names: map[string]string{"en": "Stray"}}); err != nil {
		t.Fatal(err)
	}
	_, err = dbcopy.Copy(t.Context(), dbcopy.Options{From: src.Path(), To: dsn, TempDir: t.TempDir()})
	if glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), "in audit_events, changes, tags)") {
		t.Fatalf("copy into a target with a tag: %v, want EINVALID naming the tables with rows", err)
	}
}

// TestCopyFailureLeavesTargetEmpty breaks copies midway: the target keeps
// what it held (the default offers) and nothing else.
func TestCopyFailureLeavesTargetEmpty(t *testing.T) {
	tests := []struct {
		name string
		// inject changes the source through SQL, behind the store's back.
		inject  func(db *sql.DB) error
		cancel  bool
		wantErr string
	}{{
		// SQLite's NOCASE folds ASCII letters only; the target's unique
		// index on lower(email) folds every letter (postgres/doc.go).
		name: "a constraint only the target has",
		inject: func(db *sql.DB) error {
			_, err := db.Exec(`INSERT INTO users (account_id, email, name, role, password_hash, created_at) VALUES
				(1, 'élodie@example.com', 'Élodie', 'member', 'x', '2026-03-01T12:00:00.000000000Z'),
				(1, 'Élodie@example.com', 'Élodie again', 'member', 'x', '2026-03-01T12:00:00.000000000Z')`)
			return err
		},
		wantErr: `copy users: duplicate key value violates unique constraint "users_email"`,
	}, {
		name: "a value the target's type refuses",
		inject: func(db *sql.DB) error {
			_, err := db.Exec(`UPDATE registration_keys SET grace_until = 'next tuesday' WHERE id = 7`)
			return err
		},
		wantErr: `registration_keys, row 7 (id 7), column grace_until: not a timestamp: "next tuesday"`,
	}, {
		// jsonb keeps only the last of duplicate keys: the copy would
		// lose a value, which the verification sees.
		name: "a value the target changes",
		inject: func(db *sql.DB) error {
			_, err := db.Exec(`UPDATE tags SET names = '{"en": "Unused", "en": "Spare"}' WHERE key = 'unused'`)
			return err
		},
		wantErr: "verification failed, nothing was copied: in tags, sum(elements(names)) is 5 in the source and 4 in the target",
	}, {
		name:    "cancelled in the middle of the keys",
		cancel:  true,
		wantErr: "context canceled",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, c := newSource(t)
			populate(t, src, c)
			ctx := t.Context()
			if tt.cancel {
				// Enough keys to be cancelled in the middle of them.
				var keys []*glpinet.RegistrationKey
				for i := range 25_000 {
					keys = append(keys, &glpinet.RegistrationKey{AccountID: 1, Hash: glpinet.HashKey(fmt.Sprint("gnk_", i)), Prefix: "gnk_", Label: "bulk"})
				}
				if err := src.CreateKeys(ctx, keys); err != nil {
					t.Fatal(err)
				}
			}
			if tt.inject != nil {
				raw, err := sql.Open("sqlite", src.Path())
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				if err := tt.inject(raw); err != nil {
					t.Fatal(err)
				}
			}
			dsn := pgtest.NewDatabase(t)
			want := emptyTarget(t, dsn)

			copyCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			opts := dbcopy.Options{From: src.Path(), To: dsn, TempDir: t.TempDir()}
			if tt.cancel {
				opts.Progress = func(done, total int64) {
					if done > 10_000 {
						cancel()
					}
				}
			}
			_, err := dbcopy.Copy(copyCtx, opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("copy: %v, want an error with %q", err, tt.wantErr)
			}
			if got := targetRows(t, dsn); !cmp.Equal(want, got) {
				t.Errorf("a failed copy left rows behind: %s", cmp.Diff(want, got))
			}
			if tt.cancel {
				// Nothing is left half-done: the copy can simply run again.
				res, err := dbcopy.Copy(ctx, dbcopy.Options{From: src.Path(), To: dsn, TempDir: t.TempDir()})
				if err != nil {
					t.Fatal(err)
				}
				if res.Rows < 25_000 {
					t.Fatalf("second copy: %d rows", res.Rows)
				}
			}
		})
	}
}

// TestCopyOlderSchema copies a database at schema version 1 (before
// portal users had a language): the snapshot is migrated, the source is
// left at version 1.
func TestCopyOlderSchema(t *testing.T) {
	b, err := os.ReadFile("../sqlite/migrations/00001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	up, _, _ := strings.Cut(string(b), "-- +goose Down")
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const at = "2025-06-01T10:00:00.123456789Z"
	for _, q := range []string{
		up,
		`CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))`,
		`INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1)`,
		`INSERT INTO offers VALUES ('registered', 0, '{"en":"Registered"}', '[]')`,
		`INSERT INTO accounts VALUES (7, 'Old Co', 'active', '` + at + `', '` + at + `')`,
		`INSERT INTO users VALUES (3, 7, 'old@example.com', 'Old', 'owner', 'x', '` + at + `')`,
		`INSERT INTO registration_keys (id, account_id, hash, prefix, created_at) VALUES (9, 7, randomblob(32), 'gnk_old', '` + at + `')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	db.Close()

	dsn := pgtest.NewDatabase(t)
	res, err := dbcopy.Copy(t.Context(), dbcopy.Options{From: path, To: dsn, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 {
		t.Errorf("copied %d rows, want 4", res.Rows)
	}
	dst := openTarget(t, dsn)
	u, err := dst.FindUserByEmail(t.Context(), "old@example.com")
	if err != nil || u.ID != 3 || u.AccountID != 7 || u.Lang != "en" || u.CreatedAt.Format(time.RFC3339Nano) != "2025-06-01T10:00:00.123456Z" {
		t.Fatalf("copied user = %+v, %v", u, err)
	}
	snap, err := sqlite.Inspect(t.Context(), path)
	if err != nil || snap.SchemaVersion != 1 {
		t.Fatalf("the source is at schema version %d (%v), want still 1", snap.SchemaVersion, err)
	}
}
