package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// countAttempt is CountAttempt's one statement. INSERT ... ON CONFLICT DO
// UPDATE is atomic: a concurrent caller on the same key waits for the
// other's row (inserted or updated) and then updates it, so concurrent
// callers get distinct counts without a transaction of their own. The
// stored window is kept (and added to) unless the caller's is later: that
// is a new window, which starts from the caller's n.
const countAttempt = `INSERT INTO attempts AS a (key, window_start, window_end, count) VALUES ($1, $2, $3, $4)
	ON CONFLICT (key) DO UPDATE SET
		count = CASE WHEN a.window_start >= excluded.window_start THEN a.count + excluded.count ELSE excluded.count END,
		window_end = CASE WHEN a.window_start >= excluded.window_start THEN a.window_end ELSE excluded.window_end END,
		window_start = GREATEST(a.window_start, excluded.window_start)
	RETURNING count`

// addAttempt is storeflow.Counters.Add, one atomic statement. No audit
// event, no change: counters are not business data.
func (db *DB) addAttempt(ctx context.Context, key string, start, end time.Time, n int) (count int, err error) {
	err = db.pool.QueryRow(ctx, countAttempt, key, start, end, n).Scan(&count)
	return count, mapError(err)
}

// readAttempts is storeflow.Counters.Read.
func (db *DB) readAttempts(ctx context.Context, key string, start time.Time) (count int, err error) {
	err = db.pool.QueryRow(ctx, `SELECT count FROM attempts WHERE key = $1 AND window_start >= $2`, key, start).Scan(&count)
	if err == pgx.ErrNoRows {
		err = nil
	}
	return count, mapError(err)
}

// deleteAttempts is storeflow.Counters.Delete.
func (db *DB) deleteAttempts(ctx context.Context, key string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM attempts WHERE key = $1`, key)
	return mapError(err)
}

// PruneAttempts removes the counters whose window has ended at now.
func (db *DB) PruneAttempts(ctx context.Context, now time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM attempts WHERE window_end <= $1`, now)
	if err != nil {
		return 0, mapError(err)
	}
	return int(tag.RowsAffected()), nil
}
