package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
)

// attemptRule is a limit on attempts of one kind: at most limit within each
// fixed window, counted in the store so that every replica shares it and a
// restart forgets nothing.
type attemptRule struct {
	kind   string
	limit  int
	window time.Duration
}

// The limits on password checks and sign-ups. A guesser is stopped by the
// pair (e-mail, address) after a few tries; one with many addresses by the
// e-mail's own, looser limit, which lasts an hour at most: nobody can lock
// a person out for good. A person whose colleagues share a NAT address has
// room under the address limit.
var (
	loginPerEmailAndAddress = attemptRule{"login-pair", 5, 15 * time.Minute}
	loginPerEmail           = attemptRule{"login-email", 30, time.Hour}
	loginPerAddress         = attemptRule{"login-addr", 100, 15 * time.Minute}
	passwordChangePerUser   = attemptRule{"password-user", 5, 15 * time.Minute}
	signupPerAddress        = attemptRule{"signup-addr", 10, time.Hour}
	// loginKnownPlace counts the successful logins of an e-mail from an
	// address: a place the person logged in from lately is spared the
	// e-mail's own limit, which a guesser with many addresses can keep
	// spent hour after hour (the pair and address limits still apply).
	loginKnownPlace = attemptRule{"login-known", 0, 90 * 24 * time.Hour}
)

// attempt is one counter to count an attempt against.
type attempt struct {
	rule attemptRule
	key  string
}

// newAttempt names the counter of rule for the given parts (an e-mail, an
// address…), hashed: the store never holds them in clear.
func newAttempt(rule attemptRule, parts ...string) attempt {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return attempt{rule: rule, key: rule.kind + ":" + hex.EncodeToString(h[:16])}
}

// attempts counts attempts in the store, and remembers in memory which
// counters are over their limit until their window ends, so that a client
// that keeps trying once refused costs no database write.
type attempts struct {
	store glpinet.ThrottleStore
	mu    sync.Mutex
	over  map[string]time.Time // key → end of the window it is over its limit in
}

// maxOverEntries bounds the memory of refused counters; past it, the
// expired ones are dropped, then (if still full) the new one is not
// remembered: it is only a cache, the store stays the truth.
const maxOverEntries = 100_000

// reserve counts one attempt against every counter before the attempt is
// judged, so that N simultaneous attempts count as N. It returns the zero
// time when the attempt may go on, else when it may be tried again (a
// counter is past its limit until its window ends).
func (a *attempts) reserve(ctx context.Context, now time.Time, list ...attempt) (time.Time, error) {
	a.mu.Lock()
	for _, at := range list {
		if until, ok := a.over[at.key]; ok && now.Before(until) {
			a.mu.Unlock()
			return until, nil
		}
	}
	a.mu.Unlock()
	var refused time.Time
	for _, at := range list {
		n, err := a.store.CountAttempt(ctx, at.key, at.rule.window, now, 1)
		if err != nil {
			return time.Time{}, err
		}
		if n > at.rule.limit {
			_, end, _ := glpinet.AttemptWindow(now, at.rule.window)
			a.remember(at.key, end, now)
			if end.After(refused) {
				refused = end
			}
		}
	}
	return refused, nil
}

func (a *attempts) remember(key string, until, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.over == nil {
		a.over = map[string]time.Time{}
	}
	if len(a.over) >= maxOverEntries {
		for k, t := range a.over {
			if !now.Before(t) {
				delete(a.over, k)
			}
		}
		if len(a.over) >= maxOverEntries {
			return
		}
	}
	a.over[key] = until
}

// forget clears a counter (a successful login clears its pair's).
func (a *attempts) forget(ctx context.Context, at attempt) error {
	a.mu.Lock()
	delete(a.over, at.key)
	a.mu.Unlock()
	return a.store.ForgetAttempts(ctx, at.key)
}

// reserveAttempts counts an attempt against each counter (see reserve).
// When one is past its limit it sets Retry-After and reports refused: the
// caller then answers 429 in its own words.
func (h *Handler) reserveAttempts(w http.ResponseWriter, r *http.Request, list ...attempt) (refused bool, err error) {
	now := h.Now()
	until, err := h.attempts.reserve(r.Context(), now, list...)
	if err != nil || until.IsZero() {
		return false, err
	}
	httpx.RetryAfter(w, until.Sub(now))
	return true, nil
}

// knownPlace reports whether the person behind email logged in from addr
// within loginKnownPlace's window.
func (h *Handler) knownPlace(r *http.Request, email, addr string) (bool, error) {
	at := newAttempt(loginKnownPlace, email, addr)
	n, err := h.Store.Attempts(r.Context(), at.key, at.rule.window, h.Now())
	return n > 0, err
}

// rememberPlace records a successful login of email from addr.
func (h *Handler) rememberPlace(r *http.Request, email, addr string) error {
	at := newAttempt(loginKnownPlace, email, addr)
	_, err := h.Store.CountAttempt(r.Context(), at.key, at.rule.window, h.Now(), 1)
	return err
}
