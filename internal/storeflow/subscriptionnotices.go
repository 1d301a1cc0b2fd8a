package storeflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
)

// SubscriptionNoticeTx is a transaction that sends subscription notices.
type SubscriptionNoticeTx interface {
	AccountTx
	// EndingSubscriptions reads the active subscriptions to offers other
	// than the free one whose end is in (from, to], with the notices
	// recorded for each: what might have a notice due.
	EndingSubscriptions(ctx context.Context, from, to time.Time) ([]NoticeCandidate, error)
	// LockSubscription reads subscription id, locked; nil when none.
	LockSubscription(ctx context.Context, id int64) (*glpinet.Subscription, error)
	// AccountSubscriptions reads account's subscriptions.
	AccountSubscriptions(ctx context.Context, account int64) ([]*glpinet.Subscription, error)
	// SubscriptionNotices reads the notices recorded for subscription
	// id: kind → the end it was about.
	SubscriptionNotices(ctx context.Context, id int64) (map[glpinet.SubscriptionNoticeKind]time.Time, error)
	// RecordSubscriptionNotice records notice kind of subscription id
	// about end, at the transaction's instant, unless it is recorded
	// about that end already: the row (unique per subscription and kind)
	// is inserted, or updated when it was about another end. recorded is
	// false when nothing was written, which a concurrent transaction that
	// recorded it first also yields, once it commits.
	RecordSubscriptionNotice(ctx context.Context, id int64, kind glpinet.SubscriptionNoticeKind, end time.Time) (recorded bool, err error)
	// LockManagers reads the IDs of account's owners and admins, locked
	// in ID order.
	LockManagers(ctx context.Context, account int64) ([]int64, error)
	// LockUser reads user id, locked; nil when none.
	LockUser(ctx context.Context, id int64) (*glpinet.User, error)
	// FindOffer reads the offer with this reference; nil when none.
	FindOffer(ctx context.Context, ref string) (*glpinet.Offer, error)
	// AccountName reads account id's name ("" when none).
	AccountName(ctx context.Context, id int64) (string, error)
}

// NoticeCandidate is a subscription that may have a notice due, and the
// notices recorded for it (kind → the end each was about).
type NoticeCandidate struct {
	Subscription *glpinet.Subscription
	Sent         map[glpinet.SubscriptionNoticeKind]time.Time
}

// noticeDue returns the notice due for s at now that sent (s's recorded
// notices) does not hold about s's current end; "" when none.
func noticeDue(s *glpinet.Subscription, sent map[glpinet.SubscriptionNoticeKind]time.Time, now time.Time) glpinet.SubscriptionNoticeKind {
	kind := glpinet.DueSubscriptionNotice(s, now)
	if kind == "" {
		return ""
	}
	if at, ok := sent[kind]; ok && at.Equal(*s.End) {
		return ""
	}
	return kind
}

// noticeToSend returns the notice due at now for s, whose recorded
// notices are sent, and the offers of its account's subscriptions; ""
// when none is to be sent. It only reads, without locks (the scan's first
// transaction calls it for every candidate). Nothing of what it declines
// is recorded: a renewal withdrawn brings the notice back.
func noticeToSend(ctx context.Context, tx SubscriptionNoticeTx, s *glpinet.Subscription, sent map[glpinet.SubscriptionNoticeKind]time.Time, now time.Time) (glpinet.SubscriptionNoticeKind, map[string]*glpinet.Offer, error) {
	kind := noticeDue(s, sent, now)
	if kind == "" {
		return "", nil, nil
	}
	subs, err := tx.AccountSubscriptions(ctx, s.AccountID)
	if err != nil {
		return "", nil, err
	}
	offers := map[string]*glpinet.Offer{}
	for _, x := range subs {
		if _, ok := offers[x.OfferRef]; ok {
			continue
		}
		o, err := tx.FindOffer(ctx, x.OfferRef)
		if err != nil {
			return "", nil, err
		} else if o != nil {
			offers[x.OfferRef] = o
		}
	}
	// Renewed or overtaken: nothing ends for the account.
	if glpinet.SubscriptionContinued(s, subs, offers) {
		return "", nil, nil
	}
	return kind, offers, nil
}

// SendSubscriptionNotice sends the notice due at now for subscription id,
// if any is still due once the subscription is locked: it reports whether
// it did. offersURL is glpinet.SubscriptionNoticeStore's.
func SendSubscriptionNotice(ctx context.Context, tx SubscriptionNoticeTx, id int64, now time.Time, offersURL string) (bool, error) {
	s, err := tx.LockSubscription(ctx, id)
	if err != nil || s == nil {
		return false, err
	}
	sent, err := tx.SubscriptionNotices(ctx, id)
	if err != nil {
		return false, err
	}
	kind, offers, err := noticeToSend(ctx, tx, s, sent, now)
	if err != nil || kind == "" {
		return false, err
	}
	// A suspended account was told why; its subscriptions do not run.
	// Nothing is recorded: reactivated in time, it gets the notice.
	states, err := tx.AccountStates(ctx, []int64{s.AccountID})
	if err != nil {
		return false, err
	} else if states[s.AccountID] != glpinet.AccountActive {
		return false, nil
	}
	// The unique row decides between replicas scanning at once: the one
	// whose write lands mails, the other finds it written and does not.
	if ok, err := tx.RecordSubscriptionNotice(ctx, id, kind, *s.End); err != nil || !ok {
		return false, err
	}
	for _, lesser := range glpinet.LesserNotices(kind) {
		if _, err := tx.RecordSubscriptionNotice(ctx, id, lesser, *s.End); err != nil {
			return false, err
		}
	}
	lastDay := glpinet.LastDay(*s.End)
	if err := tx.Audit(ctx, glpinet.AuditEvent{Action: "subscription.notice", Subject: glpinet.AccountSubject(s.AccountID),
		Details: "subscription:" + strconv.FormatInt(id, 10) + " " + s.OfferRef + " " + string(kind) + " until " + lastDay}); err != nil {
		return false, err
	}
	return true, mailSubscriptionNotice(ctx, tx, s, offers[s.OfferRef], kind, now, offersURL)
}

// mailSubscriptionNotice mails notice kind of s to the account's enabled
// owners and admins: those who may request the offer again.
func mailSubscriptionNotice(ctx context.Context, tx SubscriptionNoticeTx, s *glpinet.Subscription, o *glpinet.Offer, kind glpinet.SubscriptionNoticeKind, now time.Time, offersURL string) error {
	account, err := tx.AccountName(ctx, s.AccountID)
	if err != nil {
		return err
	}
	ids, err := tx.LockManagers(ctx, s.AccountID)
	if err != nil {
		return err
	}
	mailKind := glpinet.MailKindSubscriptionEnding
	if kind == glpinet.NoticeEnded {
		mailKind = glpinet.MailKindSubscriptionEnded
	}
	link := ""
	if offersURL != "" {
		// The offer's card, where its renewal is requested.
		link = offersURL + "#offer-" + s.OfferRef
	}
	for _, id := range ids {
		u, err := tx.LockUser(ctx, id)
		if err != nil {
			return err
		} else if u == nil || u.Disabled() {
			continue
		}
		data := map[string]string{"name": u.Name, "account": account, "offer": s.OfferRef, "last_day": glpinet.LastDay(*s.End), "link": link}
		if o != nil {
			data["offer"] = o.Title(u.Lang)
		}
		if kind != glpinet.NoticeEnded {
			data["days"] = strconv.Itoa(glpinet.DaysLeft(*s.End, now))
		}
		if err := EnqueueMail(ctx, tx, &glpinet.Mail{To: u.Email, Lang: u.Lang, Kind: mailKind, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

// SendSubscriptionNotices implements glpinet.SubscriptionNoticeStore:
// one transaction reads what may be due, then each subscription with a
// notice due gets its own, so that one subscription's failure neither
// undoes nor stops the others' notices.
func (w Methods[T]) SendSubscriptionNotices(ctx context.Context, now time.Time, offersURL string) (int, error) {
	// Most subscriptions ending soon had their notice, or were renewed:
	// reads say so, and only the others get a transaction that writes.
	var due []int64
	err := w.Update(ctx, func(tx T) error {
		cands, err := tx.EndingSubscriptions(ctx, now.Add(-glpinet.EndedNoticeWindow), now.Add(glpinet.NoticeHorizon))
		if err != nil {
			return err
		}
		for _, c := range cands {
			if kind, _, err := noticeToSend(ctx, tx, c.Subscription, c.Sent, now); err != nil {
				return err
			} else if kind != "" {
				due = append(due, c.Subscription.ID)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range due {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		var sent bool
		err := w.Update(ctx, func(tx T) (err error) {
			sent, err = SendSubscriptionNotice(ctx, tx, id, now, offersURL)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("subscription %d: %w", id, err))
		} else if sent {
			n++
		}
	}
	return n, errors.Join(errs...)
}
