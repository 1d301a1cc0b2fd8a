package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

// ChangesSince returns changes after an ID, oldest first.
//
// Polling this is not enough on PostgreSQL to see every change: IDs are
// handed out before commit, so a change with a lower ID may commit after a
// higher one was read. Replicas listen instead (ListenChanges).
func (db *DB) ChangesSince(ctx context.Context, after int64, limit int) ([]glpinet.Change, error) {
	return collect(scanChange)(db.pool.Query(ctx, `SELECT id, topic, subject, at FROM changes WHERE id > $1 ORDER BY id LIMIT $2`, after, limit))
}

func scanChange(r pgx.Row) (c glpinet.Change, err error) {
	err = r.Scan(&c.ID, &c.Topic, &c.Subject, &c.At)
	return c, err
}

// LastChangeID returns the latest change's ID.
func (db *DB) LastChangeID(ctx context.Context) (int64, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM changes`).Scan(&id)
	return id, mapError(err)
}
