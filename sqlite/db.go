// Package sqlite is the embedded, default store of glpinet: one SQLite file
// in WAL mode, through the pure-Go modernc.org/sqlite driver (no cgo).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/glpinet/glpinet/internal/migration"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// DB is a SQLite store. It keeps two pools: a single writer connection whose
// transactions start with BEGIN IMMEDIATE (so that writers queue on the busy
// timeout instead of failing with SQLITE_BUSY on lock upgrade), and readers
// that run in parallel thanks to WAL.
type DB struct {
	write *sql.DB
	read  *sql.DB
	path  string

	// Statements of the validation path, prepared once: preparing costs
	// as much as running them.
	findKeyRecord, findSubscriptions *sql.Stmt

	// damaged is what the last Check found wrong with the file; Ping
	// reports it.
	damaged atomic.Pointer[damage]

	// Now returns the current time; tests replace it.
	Now func() time.Time

	// The methods whose steps are storeflow's (every mutation but the
	// counters' and the downloads'), run in db.update, and the attempt
	// counters' argument checks.
	storeflow.Methods[*Tx]
	storeflow.Counters
}

var _ glpinet.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path, applies the
// migrations and seeds the default offers. The file, and its -wal and
// -shm files, are made readable and writable by their owner only (0600),
// whatever the umask and the folder's mode.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db := &DB{path: path, Now: time.Now}
	db.Methods = storeflow.Methods[*Tx]{Update: db.update, Plugins: db.listPlugins, Accounts: db.FindAccounts}
	db.Counters = storeflow.Counters{Add: db.addAttempt, Read: db.readAttempts, Delete: db.deleteAttempts}
	var err error
	if db.write, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		return nil, err
	}
	db.write.SetMaxOpenConns(1)
	if db.read, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		db.write.Close()
		return nil, err
	}
	db.read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	for _, step := range []func(context.Context) error{db.migrate, db.seed, db.prepare} {
		if err := step(ctx); err != nil {
			db.Close()
			if isCorrupt(err) {
				return nil, damaged(path, err.Error())
			}
			return nil, err
		}
	}
	// The -wal and -shm files exist now: made by SQLite with the mode of
	// the database file, or left (with theirs) by an earlier version.
	if err := restrict(path); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	if writer {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func (db *DB) migrate(ctx context.Context) error {
	p, err := newProvider(db.write)
	if err != nil {
		return err
	}
	if _, err := migration.Up(ctx, p); err != nil {
		return fmt.Errorf("migrate %s: %w", db.path, err)
	}
	return nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{db.findKeyRecord, db.findSubscriptions} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers, and that the last Check (or a
// write) found the file sound: it returns EINTERNAL for a damaged file,
// EUNAVAILABLE for a database that does not answer. It runs no check
// itself, so that it stays cheap enough for every /readyz request.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Damage(); err != nil {
		return err
	}
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		db.observe(err)
		return glpinet.Errorf(glpinet.EUNAVAILABLE, "The database does not answer: %v", err)
	}
	return nil
}

// Tx is a write transaction with the time it started, used for every
// timestamp it writes so that one change has one time. Its exported
// methods are the statements storeflow's mutations run: the steps and the
// rules are storeflow's, the SQL is here.
type Tx struct {
	*sql.Tx
	now     time.Time
	audited []glpinet.AuditEvent // passed to glpinet.NoticeAudit after the commit
}

var _ storeflow.StoreTx = (*Tx)(nil)

// Now is the transaction's instant.
func (tx *Tx) Now() time.Time { return tx.now }

// update runs fn in a write transaction, committed when fn returns nil.
// An error that shows the file damaged is noted for Ping.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) (err error) {
	defer func() { db.observe(err) }()
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	tx := &Tx{Tx: sqlTx, now: db.Now().UTC()}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return mapError(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return mapError(err)
	}
	glpinet.NoticeAudit(ctx, tx.audited)
	return nil
}

// Audit records an audit event, attributed to e.Actor or else to the
// context's actor.
func (tx *Tx) Audit(ctx context.Context, e glpinet.AuditEvent) error {
	if e.Actor == "" {
		e.Actor = glpinet.ActorFrom(ctx)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)`,
		fmtTime(tx.now), e.Actor, e.Action, e.Subject, e.Details)
	if err == nil {
		e.At = tx.now
		tx.audited = append(tx.audited, e)
	}
	return err
}

// Change appends to the change feed that caches follow.
func (tx *Tx) Change(ctx context.Context, topic, subject string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO changes (topic, subject, at) VALUES (?, ?, ?)`, topic, subject, fmtTime(tx.now))
	if err != nil {
		return err
	}
	// Keep the feed short: followers poll every second, a day is plenty.
	if id, _ := res.LastInsertId(); id%1000 == 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM changes WHERE at < ?`, fmtTime(tx.now.Add(-24*time.Hour)))
	}
	return err
}

// mapError turns driver errors into application errors where the caller can
// do something about them.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3lib.SQLITE_CONSTRAINT_UNIQUE, sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY:
			return glpinet.Errorf(glpinet.ECONFLICT, "This already exists.")
		case sqlite3lib.SQLITE_BUSY, sqlite3lib.SQLITE_LOCKED:
			return glpinet.Errorf(glpinet.EUNAVAILABLE, "The database is busy; try again.")
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return glpinet.Errorf(glpinet.ENOTFOUND, "Not found.")
	}
	return err
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && (se.Code() == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// seed gives a new database the default offers.
func (db *DB) seed(ctx context.Context) error { return storeflow.Seed(ctx, db.update) }
