package storeflow

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
)

// Counters implements the glpinet.ThrottleStore methods that take a key
// and a window: it checks them (glpinet.AttemptArgs) and runs a store's
// statements. A store embeds it and sets the fields.
type Counters struct {
	// Add adds n to key's counter for the window [start, end) and returns
	// the counter (see glpinet.ThrottleStore.CountAttempt).
	Add func(ctx context.Context, key string, start, end time.Time, n int) (int, error)
	// Read returns key's counter for a window that starts at start or
	// later, 0 when none.
	Read func(ctx context.Context, key string, start time.Time) (int, error)
	// Delete removes key's counter.
	Delete func(ctx context.Context, key string) error
}

// CountAttempt implements glpinet.ThrottleStore.
func (c Counters) CountAttempt(ctx context.Context, key string, window time.Duration, now time.Time, n int) (int, error) {
	start, end, err := glpinet.AttemptArgs(key, window, now, n)
	if err != nil {
		return 0, err
	}
	return c.Add(ctx, key, start, end, n)
}

// Attempts implements glpinet.ThrottleStore.
func (c Counters) Attempts(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	start, _, err := glpinet.AttemptArgs(key, window, now, 1)
	if err != nil {
		return 0, err
	}
	return c.Read(ctx, key, start)
}

// ForgetAttempts implements glpinet.ThrottleStore.
func (c Counters) ForgetAttempts(ctx context.Context, key string) error {
	if err := glpinet.CheckAttemptKey(key); err != nil {
		return err
	}
	return c.Delete(ctx, key)
}
