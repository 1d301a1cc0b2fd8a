package service

import (
	"time"

	"github.com/glpinet/glpinet"
)

// Subscription periods are given in days: the first day and the last day
// included, as people say them ("until 2027-12-31"); a subscription's End
// is the instant after the last day.

// ParseDay reads a day, YYYY-MM-DD, as its first instant in UTC. It
// returns an EINVALID error naming field (e.g. "until").
func ParseDay(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, glpinet.Errorf(glpinet.EINVALID, "%s %q is not a day like 2027-12-31.", field, s)
	}
	return t, nil
}

// EndAfter returns the End of a period whose last day included is last.
func EndAfter(last time.Time) time.Time { return last.AddDate(0, 0, 1) }
