package http

import (
	"sync"
	"time"
)

// recentCredentials remembers the session cookies and API tokens (their
// hashes) found valid lately. They are always looked up, even from an
// address that spent its budget of unknown ones: a client sending made-up
// cookies from behind a shared address must not log out everybody else
// there.
type recentCredentials struct {
	mu   sync.Mutex
	seen map[[32]byte]time.Time
}

// recentCredentialsMax bounds the memory; recentCredentialsTTL is how long
// one is remembered after it was last found valid (a session's lifetime).
const (
	recentCredentialsMax = 100_000
	recentCredentialsTTL = sessionTTL
)

// known reports whether hash was found valid within the TTL.
func (c *recentCredentials) known(hash [32]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.seen[hash]
	return ok && now.Sub(at) < recentCredentialsTTL
}

// remember records that hash was found valid at now.
func (c *recentCredentials) remember(hash [32]byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[[32]byte]time.Time{}
	}
	if _, ok := c.seen[hash]; !ok && len(c.seen) >= recentCredentialsMax {
		for h, at := range c.seen {
			if now.Sub(at) >= recentCredentialsTTL {
				delete(c.seen, h)
			}
		}
		if len(c.seen) >= recentCredentialsMax {
			c.seen = map[[32]byte]time.Time{}
		}
	}
	c.seen[hash] = now
}
