package httpx

import (
	"net/netip"
	"sync"
	"time"
)

// Credentials guards the lookups of API tokens and portal session cookies,
// shared by the management API and the portal so that a client guessing
// at one cannot double its budget with the other. An address that sent
// many unknown ones (see AddrLimiter) is not looked up for any more; the
// credentials found valid lately always are: a client sending made-up
// cookies from behind a shared address must not log out everybody else
// there. The zero value is not ready: set TTL.
type Credentials struct {
	// TTL is how long a credential found valid is remembered after it was
	// last seen: a portal session's lifetime.
	TTL time.Duration

	unknown AddrLimiter
	mu      sync.Mutex
	seen    map[[32]byte]time.Time
}

// recentCredentialsMax bounds the memory of credentials found valid.
const recentCredentialsMax = 100_000

// MayLookUp reports whether a credential with this hash, sent from addr,
// may be looked up in the store at now.
func (c *Credentials) MayLookUp(addr netip.Addr, hash [32]byte, now time.Time) bool {
	return !c.unknown.Exhausted(ClientKey(addr), now) || c.known(hash, now)
}

// Unknown counts a credential the store did not know against addr.
func (c *Credentials) Unknown(addr netip.Addr, now time.Time) {
	c.unknown.Allow(ClientKey(addr), now)
}

// known reports whether hash was found valid within the TTL.
func (c *Credentials) known(hash [32]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.seen[hash]
	return ok && now.Sub(at) < c.TTL
}

// Valid records that hash was found valid at now.
func (c *Credentials) Valid(hash [32]byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[[32]byte]time.Time{}
	}
	if _, ok := c.seen[hash]; !ok && len(c.seen) >= recentCredentialsMax {
		for h, at := range c.seen {
			if now.Sub(at) >= c.TTL {
				delete(c.seen, h)
			}
		}
		if len(c.seen) >= recentCredentialsMax {
			c.seen = map[[32]byte]time.Time{}
		}
	}
	c.seen[hash] = now
}
