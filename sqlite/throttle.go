package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// countAttempt is CountAttempt's one statement: the single writer runs it
// whole, so concurrent callers get distinct counts. The stored window is
// kept (and added to) unless the caller's is later: that is a new window,
// which starts from the caller's n. Fixed-width timestamps compare as
// strings (see time.go).
const countAttempt = `INSERT INTO attempts (key, window_start, window_end, count) VALUES (?, ?, ?, ?)
	ON CONFLICT (key) DO UPDATE SET
		count = CASE WHEN attempts.window_start >= excluded.window_start THEN attempts.count + excluded.count ELSE excluded.count END,
		window_end = CASE WHEN attempts.window_start >= excluded.window_start THEN attempts.window_end ELSE excluded.window_end END,
		window_start = max(attempts.window_start, excluded.window_start)
	RETURNING count`

// addAttempt is storeflow.Counters.Add. No audit event, no change:
// counters are not business data.
func (db *DB) addAttempt(ctx context.Context, key string, start, end time.Time, n int) (int, error) {
	var count int
	err := db.write.QueryRowContext(ctx, countAttempt, key, fmtTime(start), fmtTime(end), n).Scan(&count)
	return count, mapError(err)
}

// readAttempts is storeflow.Counters.Read.
func (db *DB) readAttempts(ctx context.Context, key string, start time.Time) (int, error) {
	var count int
	err := db.read.QueryRowContext(ctx, `SELECT count FROM attempts WHERE key = ? AND window_start >= ?`, key, fmtTime(start)).Scan(&count)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return count, mapError(err)
}

// deleteAttempts is storeflow.Counters.Delete.
func (db *DB) deleteAttempts(ctx context.Context, key string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM attempts WHERE key = ?`, key)
	return mapError(err)
}

// PruneAttempts removes the counters whose window has ended at now.
func (db *DB) PruneAttempts(ctx context.Context, now time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM attempts WHERE window_end <= ?`, fmtTime(now))
	if err != nil {
		return 0, mapError(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
