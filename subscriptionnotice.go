package glpinet

import (
	"context"
	"time"
)

// Mail kinds of the subscription notices (templates in package mail).
const (
	// MailKindSubscriptionEnding tells an account's owners and admins
	// that a paid subscription ends soon; its values are "name" (the
	// recipient's), "account", "offer" (its title in the recipient's
	// language), "last_day" (YYYY-MM-DD), "days" (whole days left,
	// rounded up) and "link" (the offers page, where the offer can be
	// requested again; "" without a public URL).
	MailKindSubscriptionEnding = "subscription-ending"
	// MailKindSubscriptionEnded tells them that it has ended; its values
	// are those of MailKindSubscriptionEnding but "days".
	MailKindSubscriptionEnded = "subscription-ended"
)

// SubscriptionNoticeKind names one of the notices a paid subscription's
// end gives, each sent once.
type SubscriptionNoticeKind string

// Subscription notices, from the least urgent to the most.
const (
	Notice30Days SubscriptionNoticeKind = "30d"
	Notice7Days  SubscriptionNoticeKind = "7d"
	Notice1Day   SubscriptionNoticeKind = "1d"
	NoticeEnded  SubscriptionNoticeKind = "ended"
)

// SubscriptionNoticeKinds are the notices from the least urgent to the
// most, each due from Before its subscription's end (NoticeEnded: 0).
var SubscriptionNoticeKinds = []struct {
	Kind   SubscriptionNoticeKind
	Before time.Duration
}{
	{Notice30Days, 30 * 24 * time.Hour},
	{Notice7Days, 7 * 24 * time.Hour},
	{Notice1Day, 24 * time.Hour},
	{NoticeEnded, 0},
}

// EndedNoticeWindow is how long after its end a subscription may still
// get its "ended" notice: the first scan of a server with years of history
// must not tell every account about subscriptions that ended long ago.
const EndedNoticeWindow = 30 * 24 * time.Hour

// NoticeHorizon is how long before its end a subscription gets its first
// notice: the earliest of SubscriptionNoticeKinds.
const NoticeHorizon = 30 * 24 * time.Hour

// DueSubscriptionNotice returns the most urgent notice due for s at now,
// or "" when none is: s must be an active, begun subscription to a paid
// offer with an end less than NoticeHorizon away, or past by less than
// EndedNoticeWindow. Only the most urgent is sent: a subscription first
// seen 5 days before its end gets the 7-day notice, not the 30-day one
// too (the store records the lesser ones as done).
func DueSubscriptionNotice(s *Subscription, now time.Time) SubscriptionNoticeKind {
	if s.OfferRef == FreeOfferReference || s.State != SubscriptionActive || s.End == nil || s.Begin.After(now) {
		return ""
	}
	left := s.End.Sub(now)
	if left <= 0 {
		if -left >= EndedNoticeWindow {
			return ""
		}
		return NoticeEnded
	}
	due := SubscriptionNoticeKind("")
	for _, n := range SubscriptionNoticeKinds {
		if left <= n.Before {
			due = n.Kind
		}
	}
	return due
}

// LesserNotices returns the notices less urgent than kind: done once
// kind is, so that none of them is sent after it.
func LesserNotices(kind SubscriptionNoticeKind) []SubscriptionNoticeKind {
	var out []SubscriptionNoticeKind
	for _, n := range SubscriptionNoticeKinds {
		if n.Kind == kind {
			return out
		}
		out = append(out, n.Kind)
	}
	return nil
}

// DaysLeft is the whole days from now to end, rounded up: what an ending
// notice says ("in 7 days").
func DaysLeft(end, now time.Time) int {
	const day = 24 * time.Hour
	return int((end.Sub(now) + day - 1) / day)
}

// SubscriptionContinued reports whether the account of s keeps what s
// gives past its end: another active subscription among subs (the
// account's), to an offer at s's level or above, covers the instant s
// ends (a renewal granted before the end, or a higher offer). Its end is
// then no news, and no notice tells of it. offers maps references to
// offers.
func SubscriptionContinued(s *Subscription, subs []*Subscription, offers map[string]*Offer) bool {
	if s.End == nil {
		return true
	}
	o := offers[s.OfferRef]
	for _, x := range subs {
		xo := offers[x.OfferRef]
		if x.ID == s.ID || xo == nil || (o != nil && xo.Level < o.Level) {
			continue
		}
		if x.Covers(*s.End) {
			return true
		}
	}
	return false
}

// SubscriptionNoticeStore sends the notices of ending paid subscriptions.
type SubscriptionNoticeStore interface {
	// SendSubscriptionNotices sends every notice due at now (see
	// DueSubscriptionNotice) and not sent yet about the subscription's
	// current end: for each subscription, in one transaction, it records
	// the notice (and the lesser ones, skipped) and enqueues a mail
	// (MailKindSubscriptionEnding or MailKindSubscriptionEnded) to each
	// enabled owner and admin of the account, in each one's language.
	// Subscriptions continued by another (SubscriptionContinued) and
	// those of suspended accounts get none. offersURL is the absolute URL
	// of the portal's offers page, which the mails link to ("": no link).
	// A notice is recorded once whatever the number of replicas scanning
	// at once; an end moved later or earlier gets its notices again.
	// It returns how many notices were sent; an error about one
	// subscription does not stop the others, and all are returned joined.
	SendSubscriptionNotices(ctx context.Context, now time.Time, offersURL string) (int, error)
}
