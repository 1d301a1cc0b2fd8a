package httpx

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits on what one client address may make the server look up in vain.
// A GLPI instance asks about its key about once a day, and a person
// mistyping one a few times; a client asking about thousands of made-up
// keys is scanning. The keys' checksum is public, so it keeps no scanner
// out: this does.
const (
	unknownKeyRate  = rate.Limit(1) // per second, per address, on average
	unknownKeyBurst = 30
	// maxAddrLimiters bounds the addresses remembered; past it the idle
	// ones are forgotten (an address forgotten starts with a full burst
	// again: the cost is bounded by the key filter anyway).
	maxAddrLimiters = 100_000
	addrIdle        = 10 * time.Minute
)

// AddrLimiter keeps a token bucket per client address (see ClientKey). It
// limits the answers about unknown registration keys, and the lookups of
// unknown API tokens and session cookies (each a database read an
// anonymous client could otherwise repeat at will). The zero value is
// ready to use.
type AddrLimiter struct {
	mu       sync.Mutex
	limiters map[string]*addrLimiter
}

type addrLimiter struct {
	lim  *rate.Limiter
	seen time.Time
}

// Allow takes a token for addr at now; false: answer 429.
func (v *AddrLimiter) Allow(addr string, now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.limiterLocked(addr, now).AllowN(now, 1)
}

// Exhausted reports, without taking one, whether addr has no token left:
// the caller then skips the work whose failures are counted.
func (v *AddrLimiter) Exhausted(addr string, now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.limiters[addr] == nil {
		return false
	}
	return v.limiters[addr].lim.TokensAt(now) < 1
}

func (v *AddrLimiter) limiterLocked(addr string, now time.Time) *rate.Limiter {
	if v.limiters == nil {
		v.limiters = map[string]*addrLimiter{}
	}
	l := v.limiters[addr]
	if l == nil {
		if len(v.limiters) >= maxAddrLimiters {
			v.forgetIdleLocked(now)
		}
		l = &addrLimiter{lim: rate.NewLimiter(unknownKeyRate, unknownKeyBurst)}
		v.limiters[addr] = l
	}
	l.seen = now
	return l.lim
}

// forgetIdleLocked drops the addresses idle for addrIdle, or all of them
// when none is.
func (v *AddrLimiter) forgetIdleLocked(now time.Time) {
	for k, l := range v.limiters {
		if now.Sub(l.seen) > addrIdle {
			delete(v.limiters, k)
		}
	}
	if len(v.limiters) >= maxAddrLimiters {
		v.limiters = map[string]*addrLimiter{}
	}
}
