package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/glpinet/glpinet"
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

// CountAttempt adds n to key's counter for the window containing now and
// returns the counter. No audit event, no change: counters are not
// business data.
func (db *DB) CountAttempt(ctx context.Context, key string, window time.Duration, now time.Time, n int) (int, error) {
	if err := glpinet.CheckAttemptKey(key); err != nil {
		return 0, err
	}
	start, end, err := glpinet.AttemptWindow(now, window)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, glpinet.Errorf(glpinet.EINVALID, "An attempt counts at least 1 (got %d).", n)
	}
	var count int
	if err := db.write.QueryRowContext(ctx, countAttempt, key, fmtTime(start), fmtTime(end), n).Scan(&count); err != nil {
		return 0, mapError(err)
	}
	return count, nil
}

// Attempts returns key's counter for the window containing now.
func (db *DB) Attempts(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	if err := glpinet.CheckAttemptKey(key); err != nil {
		return 0, err
	}
	start, _, err := glpinet.AttemptWindow(now, window)
	if err != nil {
		return 0, err
	}
	var count int
	err = db.read.QueryRowContext(ctx, `SELECT count FROM attempts WHERE key = ? AND window_start >= ?`, key, fmtTime(start)).Scan(&count)
	if err == sql.ErrNoRows {
		return 0, nil
	} else if err != nil {
		return 0, mapError(err)
	}
	return count, nil
}

// ForgetAttempts removes key's counter.
func (db *DB) ForgetAttempts(ctx context.Context, key string) error {
	if err := glpinet.CheckAttemptKey(key); err != nil {
		return err
	}
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
