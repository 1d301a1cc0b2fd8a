package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
)

// ChangesSince returns changes after an ID, oldest first.
//
// Polling this is not enough on PostgreSQL to see every change: IDs are
// handed out before commit, so a change with a lower ID may commit after a
// higher one was read. Replicas listen instead (ListenChanges).
func (db *DB) ChangesSince(ctx context.Context, after int64, limit int) ([]glpinet.Change, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, topic, subject, at FROM changes WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []glpinet.Change
	for rows.Next() {
		var c glpinet.Change
		if err := rows.Scan(&c.ID, &c.Topic, &c.Subject, &c.At); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}

// LastChangeID returns the latest change's ID.
func (db *DB) LastChangeID(ctx context.Context) (int64, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM changes`).Scan(&id)
	return id, mapError(err)
}
