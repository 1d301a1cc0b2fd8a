package http

import (
	"time"

	"github.com/glpinet/glpinet/http/httpx"
)

// verdictLimiter is the core's name for httpx.AddrLimiter, kept for the
// management API and the portal until they move to their own packages.
type verdictLimiter struct{ l httpx.AddrLimiter }

// allow takes a token for addr at now; false: answer 429.
func (v *verdictLimiter) allow(addr string, now time.Time) bool { return v.l.Allow(addr, now) }

// exhausted reports, without taking one, whether addr has no token left.
func (v *verdictLimiter) exhausted(addr string, now time.Time) bool { return v.l.Exhausted(addr, now) }
