package storeflow

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/glpinet/glpinet"
)

// EnqueueMail adds m to the outbox in tx, the transaction of the write
// that causes it: the mail is sent if and only if the write commits. A
// flow that sends a mail (a reset link, a security notice) calls it with
// the mail's kind, recipient, language and values; the worker of package
// mail renders and sends it after the commit. Returns EINVALID.
func EnqueueMail(ctx context.Context, tx Tx, m *glpinet.Mail) error {
	if err := m.Validate(); err != nil {
		return err
	}
	now := tx.Now()
	m.State, m.NextAt, m.CreatedAt, m.Attempts, m.DoneAt, m.LastError, m.Claim = glpinet.MailPending, now, now, 0, nil, "", ""
	if m.Data == nil {
		m.Data = map[string]string{}
	} else {
		// The caller's map stays the caller's.
		m.Data = maps.Clone(m.Data)
	}
	return tx.InsertMail(ctx, m)
}

// EnqueueMail implements glpinet.MailStore: a mail caused by no other
// write, in a transaction of its own.
func (w Methods[T]) EnqueueMail(ctx context.Context, m *glpinet.Mail) error {
	return w.Update(ctx, func(tx T) error { return EnqueueMail(ctx, tx, m) })
}

// NewMailClaim returns a new claim token for glpinet.MailStore.ClaimMails:
// 128 random bits, so that no two workers ever hold the same.
func NewMailClaim() string {
	return rand.Text()
}

// MailData encodes a mail's values for its data column.
func MailData(m *glpinet.Mail) (string, error) {
	b, err := json.Marshal(m.Data)
	return string(b), err
}

// ParseMailData decodes a data column into m.Data.
func ParseMailData(m *glpinet.Mail, data string) error {
	m.Data = map[string]string{}
	if err := json.Unmarshal([]byte(data), &m.Data); err != nil {
		return fmt.Errorf("mail %d: bad data column: %w", m.ID, err)
	}
	return nil
}

// MailClaimLimit bounds ClaimMails's n, so that a worker never holds more
// mails than it sends within a lease.
const MailClaimLimit = 100

// CheckClaim checks ClaimMails's arguments. Returns EINVALID.
func CheckClaim(lease time.Duration, n int) error {
	if lease <= 0 || n <= 0 || n > MailClaimLimit {
		return glpinet.Errorf(glpinet.EINVALID, "A mail claim needs a positive lease and 1 to %d mails.", MailClaimLimit)
	}
	return nil
}

// MailFilterLimit is f's limit: 100 when unset, at most 1000.
func MailFilterLimit(f glpinet.MailFilter) int {
	if f.Limit <= 0 {
		return 100
	}
	return min(f.Limit, 1000)
}

// CheckOutcome checks FinishMail's outcome. Returns EINVALID.
func CheckOutcome(o glpinet.MailOutcome) error {
	if o.Sent && (o.Error != "" || !o.RetryAt.IsZero()) {
		return glpinet.Errorf(glpinet.EINVALID, "A sent mail has no error and no retry.")
	}
	return nil
}

// LostClaim is FinishMail's error when the claim is no longer the mail's.
func LostClaim(id int64) error {
	return glpinet.Errorf(glpinet.ECONFLICT, "Mail %d is no longer claimed by this worker: its lease ended.", id)
}

// SortMails orders claimed mails oldest due first, as ClaimMails returns
// them (an UPDATE's RETURNING has no order).
func SortMails(ms []*glpinet.Mail) {
	slices.SortFunc(ms, func(a, b *glpinet.Mail) int { return cmp.Or(a.NextAt.Compare(b.NextAt), cmp.Compare(a.ID, b.ID)) })
}
