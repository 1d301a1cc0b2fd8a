package mail

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
)

// Worker sends the outbox: it claims due mails for a lease, renders and
// sends each, and records the outcome; a failure is retried with
// exponential backoff (Backoff) until GiveUpAfter has passed since the
// mail was enqueued, then the mail is kept as failed for operators. Every
// replica runs one: claims keep them from sending the same mail
// (glpinet.MailStore).
//
// A mail may be sent twice in one case only, which no SMTP client can
// avoid: the server accepted it and the outcome could not be recorded
// before the lease ended (the database down for longer than the lease);
// the worker keeps trying to record it meanwhile.
type Worker struct {
	Store glpinet.MailStore
	// Sender sends the messages; nil: mail is not configured, and mails
	// wait in the outbox (the worker still counts and prunes).
	Sender interface {
		Send(ctx context.Context, from, to string, msg []byte) error
		Check(ctx context.Context) error
	}
	From *mail.Address
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
	Log *slog.Logger
	// Metrics, when set, are kept current.
	Metrics *Metrics

	status   atomic.Pointer[string]
	wakeOnce sync.Once
	wake     chan struct{}
}

// Settings of the worker; see docs/operations.md.
const (
	// PollInterval is how often the outbox is read for due mails.
	PollInterval = 2 * time.Second
	// Lease is how long a claim keeps a mail from other workers: longer
	// than a batch takes (Batch mails, each bounded by SendTimeout).
	Lease = 10 * time.Minute
	// Batch is how many mails one claim takes.
	Batch = 5
	// SendTimeout bounds one mail's SMTP session.
	SendTimeout = time.Minute
	// FirstRetry and MaxRetry bound the backoff between attempts.
	FirstRetry, MaxRetry = time.Minute, 6 * time.Hour
	// GiveUpAfter is how long a mail is retried before it is failed.
	GiveUpAfter = 72 * time.Hour
	// KeepSent and KeepFailed are how long sent and failed mails stay
	// listed (`glpinetd mail list`) before they are pruned.
	KeepSent, KeepFailed = 7 * 24 * time.Hour, 30 * 24 * time.Hour
)

// Backoff is the wait after the attempts-th failed attempt: FirstRetry,
// doubled each time, at most MaxRetry.
func Backoff(attempts int) time.Duration {
	d := FirstRetry
	for i := 1; i < attempts && d < MaxRetry; i++ {
		d *= 2
	}
	return min(d, MaxRetry)
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

// Status is the mail state /readyz reports: "ok", "not configured", or
// "failing: " and the last attempt's error.
func (w *Worker) Status() string {
	if w.Sender == nil {
		return "not configured"
	}
	if s := w.status.Load(); s != nil {
		return *s
	}
	return "ok"
}

func (w *Worker) setStatus(err error) {
	s := "ok"
	if err != nil {
		s = "failing: " + err.Error()
	}
	w.status.Store(&s)
}

// Wake makes Run read the outbox now rather than at its next poll: a
// caller that just enqueued a mail need not wait.
func (w *Worker) Wake() {
	select {
	case w.wakeChan() <- struct{}{}:
	default:
	}
}

func (w *Worker) wakeChan() chan struct{} {
	w.wakeOnce.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// Run sends due mails every PollInterval, checks the server at start,
// keeps the metrics and prunes old mails, until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	wake := w.wakeChan()
	if w.Sender != nil {
		cctx, cancel := context.WithTimeout(ctx, SendTimeout)
		err := w.Sender.Check(cctx)
		cancel()
		w.setStatus(err)
		if err != nil {
			w.log().Warn("the SMTP server cannot be used now; mails wait in the outbox", "err", err)
		}
	}
	poll := time.NewTicker(PollInterval)
	defer poll.Stop()
	var lastHousekeeping time.Time
	for {
		if w.Sender != nil {
			if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
				w.log().Warn("reading the mail outbox", "err", err)
			}
		}
		if now := time.Now(); now.Sub(lastHousekeeping) >= time.Minute {
			lastHousekeeping = now
			w.housekeeping(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-wake:
		}
	}
}

// housekeeping prunes old mails and counts the outbox for the metrics.
func (w *Worker) housekeeping(ctx context.Context) {
	now := w.now()
	if n, err := w.Store.PruneMails(ctx, now.Add(-KeepSent), now.Add(-KeepFailed)); err != nil {
		w.log().Warn("pruning the mail outbox", "err", err)
	} else if n > 0 {
		w.log().Info("pruned old mails", "mails", n)
	}
	if w.Metrics != nil {
		if counts, err := w.Store.CountMails(ctx); err == nil {
			w.Metrics.setCounts(counts)
		}
	}
}

// RunOnce claims due mails and sends them, until none is due; it returns
// how many were sent. An error is the store's: a send's is recorded on
// its mail.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	for ctx.Err() == nil {
		claimed := w.now()
		ms, err := w.Store.ClaimMails(ctx, claimed, Lease, Batch)
		if err != nil || len(ms) == 0 {
			return sent, err
		}
		for _, m := range ms {
			if ctx.Err() != nil {
				// The claim's lease ends and another worker, or this one
				// restarted, sends the rest.
				return sent, ctx.Err()
			}
			ok, err := w.send(ctx, m)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	return sent, nil
}

// send renders, sends and records one claimed mail; ok when it was sent.
// The error is the store's only.
//
// A shutdown (ctx ending) does not cut a send short: the server may have
// accepted the message already, and a cut would send it again later. The
// send is bounded by SendTimeout all the same.
func (w *Worker) send(ctx context.Context, m *glpinet.Mail) (ok bool, _ error) {
	o, sendErr := w.attempt(context.WithoutCancel(ctx), m)
	now := w.now()
	if sendErr != nil {
		o = glpinet.MailOutcome{Error: oneLine(sendErr.Error())}
		var perm *PermanentError
		if glpinet.ErrorCode(sendErr) != glpinet.EINVALID && !errors.As(sendErr, &perm) {
			if next := now.Add(Backoff(m.Attempts)); next.Sub(m.CreatedAt) < GiveUpAfter {
				o.RetryAt = next
			}
		}
		w.setStatus(sendErr)
		if w.Metrics != nil {
			w.Metrics.Failed.Inc()
		}
		// The recipient and the kind, never the values: they may hold a
		// secret link.
		if o.RetryAt.IsZero() {
			w.log().Error("mail given up", "mail", m.ID, "kind", m.Kind, "to", m.To, "attempts", m.Attempts, "err", o.Error)
		} else {
			w.log().Warn("mail not sent; retrying", "mail", m.ID, "kind", m.Kind, "to", m.To, "attempts", m.Attempts, "retry_at", o.RetryAt, "err", o.Error)
		}
	} else {
		w.setStatus(nil)
		if w.Metrics != nil {
			w.Metrics.Sent.Inc()
		}
		w.log().Info("mail sent", "mail", m.ID, "kind", m.Kind, "to", m.To, "attempts", m.Attempts)
	}
	return o.Sent, w.finish(ctx, m, now, o)
}

// attempt renders m and sends it once.
func (w *Worker) attempt(ctx context.Context, m *glpinet.Mail) (glpinet.MailOutcome, error) {
	r, err := Render(m)
	if err != nil {
		return glpinet.MailOutcome{}, err
	}
	msg, err := Message(w.From, m.To, r, w.now())
	if err != nil {
		return glpinet.MailOutcome{}, glpinet.Errorf(glpinet.EINVALID, "Composing the message: %v", err)
	}
	sctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	if err := w.Sender.Send(sctx, w.From.Address, m.To, msg); err != nil {
		return glpinet.MailOutcome{}, err
	}
	return glpinet.MailOutcome{Sent: true}, nil
}

// finish records o, retrying while the store fails and the lease lasts:
// a sent mail whose outcome is lost would be sent again once the lease
// ends.
func (w *Worker) finish(ctx context.Context, m *glpinet.Mail, now time.Time, o glpinet.MailOutcome) error {
	wait := time.Second
	deadline := time.Now().Add(Lease / 2)
	for {
		err := w.Store.FinishMail(context.WithoutCancel(ctx), m.ID, m.Claim, now, o)
		if err == nil || glpinet.ErrorCode(err) == glpinet.ECONFLICT || time.Now().Add(wait).After(deadline) {
			return err
		}
		w.log().Warn("recording a mail's outcome; retrying", "mail", m.ID, "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*2, 30*time.Second)
	}
}
