package sqlite

import (
	"context"

	"github.com/glpinet/glpinet"
)

// ChangesSince returns changes after an ID, oldest first.
func (db *DB) ChangesSince(ctx context.Context, after int64, limit int) ([]glpinet.Change, error) {
	return collect(scanChange)(db.read.QueryContext(ctx, `SELECT id, topic, subject, at FROM changes WHERE id > ? ORDER BY id LIMIT ?`, after, limit))
}

func scanChange(r scanner) (c glpinet.Change, err error) {
	var at string
	err = r.Scan(&c.ID, &c.Topic, &c.Subject, &at)
	c.At = parseTime(at)
	return c, err
}

// LastChangeID returns the latest change's ID.
func (db *DB) LastChangeID(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM changes`).Scan(&id)
	return id, mapError(err)
}
