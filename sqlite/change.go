package sqlite

import (
	"context"

	"github.com/glpinet/glpinet"
)

// ChangesSince returns changes after an ID, oldest first.
func (db *DB) ChangesSince(ctx context.Context, after int64, limit int) ([]glpinet.Change, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, topic, subject, at FROM changes WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []glpinet.Change
	for rows.Next() {
		var c glpinet.Change
		var at string
		if err := rows.Scan(&c.ID, &c.Topic, &c.Subject, &at); err != nil {
			return nil, err
		}
		c.At = parseTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// LastChangeID returns the latest change's ID.
func (db *DB) LastChangeID(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM changes`).Scan(&id)
	return id, mapError(err)
}
