package glpinet

import (
	"context"
	"net/mail"
	"regexp"
	"time"
)

// Mail is an e-mail in the outbox: written in the transaction of what
// causes it (storeflow.EnqueueMail), then sent by a worker (package mail)
// with retries, so that a mail is never lost with a rolled-back write nor
// sent for a write that did not happen.
//
// A mail holds its template's name and values, not its text: it is
// rendered in Lang when it is sent. That lets a store write enqueue a mail
// without knowing the templates (storeflow imports only this package), and
// keeps the text of a mail that waited for an SMTP server the one of the
// running version. Data may hold a secret (a reset link): the store empties
// it once the mail is sent or given up, and it is never logged nor listed.
type Mail struct {
	ID int64 `json:"id"`
	// To is the recipient's address (an addr-spec, no display name).
	To string `json:"to"`
	// Lang is the recipient's language ("en", "fr"); English stands in for
	// a language without texts.
	Lang string `json:"lang"`
	// Kind names the templates: "test", "password-reset"… (MailKindPattern).
	Kind string `json:"kind"`
	// Data are the template's values; never shown outside the mail.
	Data map[string]string `json:"-"`

	State MailState `json:"state"`
	// Attempts counts the sends tried, each claim included.
	Attempts int `json:"attempts"`
	// NextAt is when the mail is due (again).
	NextAt time.Time `json:"next_at"`
	// LastError is the last failed attempt's reason ("" after a success).
	LastError string     `json:"last_error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	DoneAt    *time.Time `json:"done_at,omitempty"` // when sent or given up

	// Claim identifies the claim that returned this mail (ClaimMails);
	// only the holder of the current claim can finish the mail.
	Claim string `json:"-"`
}

// MailState is where a mail is in the outbox.
type MailState string

// Mail states.
const (
	MailPending MailState = "pending" // waiting for its first or next attempt
	MailSent    MailState = "sent"    // the SMTP server accepted it
	MailFailed  MailState = "failed"  // given up: kept for operators, never retried
)

// MailKindTest is the mail `glpinetd mail test` sends.
const MailKindTest = "test"

// MailKindPattern is what a mail kind looks like: it names template files.
var MailKindPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// MaxMailData bounds a mail's values, in bytes of their keys and values.
const MaxMailData = 16 << 10

// Validate checks what a store checks before enqueueing m. Returns
// EINVALID.
func (m *Mail) Validate() error {
	a, err := mail.ParseAddress(m.To)
	if err != nil || a.Address != m.To || len(m.To) > MaxEmailLen {
		return Errorf(EINVALID, "The mail's recipient %q is not an e-mail address.", m.To)
	}
	if !MailKindPattern.MatchString(m.Kind) {
		return Errorf(EINVALID, "The mail kind %q is not a template name.", m.Kind)
	}
	if len(m.Lang) > 8 {
		return Errorf(EINVALID, "The mail's language %q is not a language code.", m.Lang)
	}
	n := 0
	for k, v := range m.Data {
		n += len(k) + len(v)
	}
	if n > MaxMailData {
		return Errorf(EINVALID, "The mail's values are larger than %d bytes.", MaxMailData)
	}
	return nil
}

// MailFilter selects mails for MailStore.ListMails, newest first.
type MailFilter struct {
	State MailState // "": every state
	Limit int       // 0: 100
}

// MailOutcome is what became of a claimed mail's attempt.
type MailOutcome struct {
	// Sent: the SMTP server accepted the mail.
	Sent bool
	// Error is the failed attempt's reason, without secrets.
	Error string
	// RetryAt is when to try again; zero gives the mail up (failed).
	RetryAt time.Time
}

// MailStore is the outbox. A write that causes a mail enqueues it in its
// own transaction (see storeflow.EnqueueMail); EnqueueMail is for a mail
// caused by nothing else. Every replica's worker claims due mails for a
// lease: a claimed mail is invisible to other claims until the lease ends,
// so that each mail is sent by one worker even with several replicas.
type MailStore interface {
	// EnqueueMail adds m to the outbox, due at once, and sets its ID,
	// State, NextAt and CreatedAt. Returns EINVALID.
	EnqueueMail(ctx context.Context, m *Mail) error
	// ClaimMails claims up to n pending mails due at now whose earlier
	// claim, if any, has ended: each gets a new Claim, valid until
	// now+lease, and one more attempt. Oldest due first.
	ClaimMails(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*Mail, error)
	// FinishMail records the outcome of the attempt of claim on mail id
	// at now: sent, retried at o.RetryAt, or given up. Sent and given-up
	// mails lose their Data. Returns ECONFLICT when claim is no longer the
	// mail's (its lease ended and another worker claimed it).
	FinishMail(ctx context.Context, id int64, claim string, now time.Time, o MailOutcome) error
	// ListMails returns mails newest first, without their Data.
	ListMails(ctx context.Context, f MailFilter) ([]*Mail, error)
	// CountMails returns how many mails each state has.
	CountMails(ctx context.Context) (map[MailState]int, error)
	// PruneMails deletes the mails sent before sentBefore and those given
	// up before failedBefore, and returns how many.
	PruneMails(ctx context.Context, sentBefore, failedBefore time.Time) (int, error)
}
