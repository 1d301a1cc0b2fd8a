package glpinet

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// ThrottleStore keeps counters of attempts shared by every replica (failed
// logins, sign-ups per address), each in a fixed window.
//
// Counters are not business data: counting records no audit event and no
// Change, and `glpinetd db copy` leaves them behind. Every method returns
// EINVALID for a key that is empty or longer than MaxAttemptKeyLen bytes.
type ThrottleStore interface {
	// CountAttempt adds n (n >= 1) to key's counter for the window of length window that contains now
	// (windows start at now.Truncate(window)), and returns the counter after adding. A counter of a
	// past window starts again from zero. Atomic: N concurrent calls return N distinct values.
	//
	// A counter of a later window than now's (written by a replica whose
	// clock is ahead) is added to, not reset: replicas whose clocks
	// differ by a little do not reset each other's counters at every
	// window boundary. Returns EINVALID (key, window <= 0, n < 1).
	CountAttempt(ctx context.Context, key string, window time.Duration, now time.Time, n int) (int, error)
	// Attempts returns key's counter for the window containing now, 0 when none.
	// (A counter of a later window counts too, as in CountAttempt.)
	// Returns EINVALID (key, window <= 0).
	Attempts(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
	// ForgetAttempts removes key's counter (after a successful login).
	// Returns EINVALID (key); an unknown key is not an error.
	ForgetAttempts(ctx context.Context, key string) error
	// PruneAttempts removes counters whose window ended before now, and returns how many.
	// (A window [start, end) has ended at its end: a counter whose end is
	// now is removed.)
	PruneAttempts(ctx context.Context, now time.Time) (int, error)
}

// MaxAttemptKeyLen is the longest key of an attempt counter, in bytes:
// callers pass a kind and a hash ("login-email:<hex SHA-256>"), never the
// raw input.
const MaxAttemptKeyLen = 128

// CheckAttemptKey returns an EINVALID error when key cannot name an
// attempt counter (empty, longer than MaxAttemptKeyLen bytes, or not
// UTF-8 text without NUL, which PostgreSQL would refuse).
func CheckAttemptKey(key string) error {
	switch {
	case key == "":
		return Errorf(EINVALID, "An attempt counter needs a key.")
	case len(key) > MaxAttemptKeyLen:
		return Errorf(EINVALID, "An attempt counter's key is at most %d bytes long (got %d): pass a hash, not the input.", MaxAttemptKeyLen, len(key))
	case !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0:
		return Errorf(EINVALID, "An attempt counter's key is text without NUL characters: pass a hash, not the input.")
	}
	return nil
}

// AttemptWindow returns the fixed window of length window that contains
// now, [start, end), in UTC: start is now.Truncate(window). It returns an
// EINVALID error when window is not positive.
func AttemptWindow(now time.Time, window time.Duration) (start, end time.Time, err error) {
	if window <= 0 {
		return time.Time{}, time.Time{}, Errorf(EINVALID, "An attempt window is a positive duration (got %s).", window)
	}
	start = now.UTC().Truncate(window)
	return start, start.Add(window), nil
}

// AttemptArgs checks the arguments of a ThrottleStore call (key, window,
// and n, the attempts to add: 1 for a call that adds none) and returns
// the window containing now. Both stores call it: the EINVALID errors
// are the same whichever holds the counters.
func AttemptArgs(key string, window time.Duration, now time.Time, n int) (start, end time.Time, err error) {
	if err := CheckAttemptKey(key); err != nil {
		return start, end, err
	}
	if start, end, err = AttemptWindow(now, window); err != nil {
		return start, end, err
	}
	if n < 1 {
		return start, end, Errorf(EINVALID, "An attempt counts at least 1 (got %d).", n)
	}
	return start, end, nil
}
