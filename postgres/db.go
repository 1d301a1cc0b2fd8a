package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is a PostgreSQL store: a pgx connection pool. Statements are prepared
// on each connection at first use and cached (pgx's default), so the
// validation path costs one round trip per call.
type DB struct {
	pool *pgxpool.Pool
	// listenIdle: see defaultListenIdle.
	listenIdle time.Duration

	// Now returns the current time; tests replace it.
	Now func() time.Time

	// The methods whose steps are storeflow's (every mutation but the
	// counters' and the downloads'), run in db.update, and the attempt
	// counters' argument checks.
	storeflow.Methods[*Tx]
	storeflow.Counters
}

var (
	_ glpinet.Store          = (*DB)(nil)
	_ glpinet.ChangeListener = (*DB)(nil)
)

// Open connects to the database at dsn (a postgres:// URL or a key=value
// string; pgxpool's pool_* parameters apply), applies the migrations under
// an advisory lock, so that replicas starting together do not race, and
// seeds the default offers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	pool, err := newPool(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool, listenIdle: defaultListenIdle, Now: time.Now}
	db.Methods = storeflow.Methods[*Tx]{Update: db.update, Plugins: db.listPlugins, Accounts: db.FindAccounts}
	db.Counters = storeflow.Counters{Add: db.addAttempt, Read: db.readAttempts, Delete: db.deleteAttempts}
	if _, err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, startupError(err)
	}
	if err := storeflow.Seed(ctx, db.update); err != nil {
		pool.Close()
		return nil, fmt.Errorf("seed offers: %w", err)
	}
	return db, nil
}

// newPool returns a pool for dsn; it connects lazily.
func newPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The message may quote the DSN: pgx redacts its password.
		return nil, glpinet.Errorf(glpinet.EINVALID, "Bad PostgreSQL connection string: %v", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without it a connection attempt to an unreachable server waits
		// for the kernel's TCP timeout, minutes during which callers hang
		// instead of getting EUNAVAILABLE.
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "glpinetd"
	}
	cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
		// Read timestamps in UTC, as the SQLite store does, rather than in
		// the process's local zone.
		conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// Close closes the pool, waiting for connections in use to be released.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers within two seconds.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := db.pool.Ping(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}

// querier is what the pool and a transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Tx is a write transaction with the time it started, used for every
// timestamp it writes so that one change has one time. Its exported
// methods are the statements storeflow's mutations run: the steps and the
// rules are storeflow's, the SQL is here.
type Tx struct {
	pgx.Tx
	now     time.Time
	audited []glpinet.AuditEvent // passed to glpinet.NoticeAudit after the commit
}

var _ storeflow.StoreTx = (*Tx)(nil)

// Now is the transaction's instant.
func (tx *Tx) Now() time.Time { return tx.now }

// maxAttempts bounds how often update runs a transaction that PostgreSQL
// aborted as a deadlock or serialization failure.
const maxAttempts = 3

// update runs fn in a READ COMMITTED transaction, committed when fn
// returns nil.
//
// Where SQLite relies on its single writer, the methods here lock what they
// read before deciding (SELECT ... FOR UPDATE): a second transaction
// reading the same row waits for the first to commit, then sees its
// result (a rotated key, a used-up invitation). That is chosen over
// SERIALIZABLE because it makes concurrent callers wait rather than fail,
// locks exactly the rows a decision depends on, and keeps fn free of
// retries. Deadlocks remain possible in principle (rows locked in
// opposite orders); PostgreSQL aborts one of the transactions, which is
// then simply run again.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for range maxAttempts {
		if err = db.updateOnce(ctx, fn); !isRetryable(err) || ctx.Err() != nil {
			break
		}
	}
	return mapError(err)
}

func (db *DB) updateOnce(ctx context.Context, fn func(tx *Tx) error) error {
	// Explicitly READ COMMITTED, whatever the server's default: the
	// locking reads rely on re-reading the row another transaction just
	// committed.
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return err
	}
	// PostgreSQL keeps microseconds: truncating here makes what methods
	// return (CreatedAt…) equal to what is read back later.
	tx := &Tx{Tx: pgTx, now: db.Now().UTC().Truncate(time.Microsecond)}
	if err := fn(tx); err != nil {
		pgTx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return err
	}
	glpinet.NoticeAudit(ctx, tx.audited)
	return nil
}

// Audit records e, attributed to e.Actor or else to the context's actor.
func (tx *Tx) Audit(ctx context.Context, e glpinet.AuditEvent) error {
	actor := e.Actor
	if actor == "" {
		actor = glpinet.ActorFrom(ctx)
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_events (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)`,
		tx.now, actor, e.Action, e.Subject, e.Details)
	if err == nil {
		e.Actor, e.At = actor, tx.now
		tx.audited = append(tx.audited, e)
	}
	return err
}

// Change appends to the change feed that caches follow; the changes_notify
// trigger announces it to listeners when the transaction commits.
func (tx *Tx) Change(ctx context.Context, topic, subject string) error {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO changes (topic, subject, at) VALUES ($1, $2, $3) RETURNING id`, topic, subject, tx.now).Scan(&id)
	if err != nil {
		return err
	}
	// Keep the feed short: pollers read it every second, a day is plenty.
	// (IDs have gaps on PostgreSQL, rolled-back transactions use theirs,
	// so this runs a little less often than every thousand changes.)
	if id%1000 == 0 {
		_, err = tx.Exec(ctx, `DELETE FROM changes WHERE at < $1`, tx.now.Add(-24*time.Hour))
	}
	return err
}
