package portal

import (
	"context"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"golang.org/x/sync/semaphore"
)

// passwordWork bounds the argon2id hashes computed at once. Each costs its
// memory parameter (19 MiB by default) for tens of milliseconds: without a
// bound, a few hundred simultaneous logins take gigabytes. Work past the
// bound waits in a queue, for at most passwordWait, and the queue itself is
// bounded; a refusal is ETOOMANY (429), never a crash.
type passwordWork struct {
	sem        *semaphore.Weighted
	size       int64
	waiting    atomic.Int64
	maxWaiting int64
	wait       time.Duration
}

// passwordMemoryBudget is the memory given to password hashes when no
// GOMEMLIMIT says how much the process may use.
const passwordMemoryBudget = 256 << 20

// passwordWait is how long a password check waits for its turn.
const passwordWait = 10 * time.Second

// newPasswordWork sizes the bound: n hashes at once, or (n = 0) as many as
// fit in an eighth of GOMEMLIMIT, else in passwordMemoryBudget, at most
// two per CPU (more would only wait for a CPU).
func newPasswordWork(n int, p auth.Params) *passwordWork {
	if n <= 0 {
		budget := int64(passwordMemoryBudget)
		if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < 1<<62 {
			budget = limit / 8
		}
		n = int(budget / (int64(p.Memory) << 10))
		n = min(max(n, 1), 2*runtime.GOMAXPROCS(0))
	}
	return &passwordWork{sem: semaphore.NewWeighted(int64(n)), size: int64(n), maxWaiting: int64(16 * n), wait: passwordWait}
}

// do runs fn, which computes one hash, when a slot is free.
func (p *passwordWork) do(ctx context.Context, fn func() error) error {
	if p.waiting.Add(1) > p.maxWaiting {
		p.waiting.Add(-1)
		return errPasswordBusy
	}
	wctx, cancel := context.WithTimeout(ctx, p.wait)
	err := p.sem.Acquire(wctx, 1)
	cancel()
	p.waiting.Add(-1)
	if err != nil {
		return errPasswordBusy
	}
	defer p.sem.Release(1)
	return fn()
}

var errPasswordBusy = glpinet.Errorf(glpinet.ETOOMANY, "The server is busy checking passwords: try again in a few seconds.")

// checkPassword compares a password with a hash, within the bound.
func (h *Handler) checkPassword(ctx context.Context, password, hash string) error {
	return h.passwords.do(ctx, func() error { return auth.CheckPassword(password, hash) })
}

// hashPassword hashes a new password, within the bound.
func (h *Handler) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	err := h.passwords.do(ctx, func() error {
		var err error
		hash, err = auth.HashPassword(password, h.passwordParams())
		return err
	})
	return hash, err
}

// passwordParams are the argon2id costs for new hashes.
func (h *Handler) passwordParams() auth.Params {
	if h.PasswordParams == (auth.Params{}) {
		return auth.DefaultParams
	}
	return h.PasswordParams
}
