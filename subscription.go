package glpinet

import (
	"context"
	"sort"
	"time"
)

// SubscriptionState says whether a subscription may run.
type SubscriptionState string

// Subscription states.
const (
	SubscriptionActive    SubscriptionState = "active"
	SubscriptionSuspended SubscriptionState = "suspended"
)

// Subscription grants an account an offer for a period. Begin is inclusive,
// End exclusive; a nil End never ends.
type Subscription struct {
	ID        int64             `json:"id"`
	AccountID int64             `json:"account_id"`
	OfferRef  string            `json:"offer_reference"`
	Begin     time.Time         `json:"begin"`
	End       *time.Time        `json:"end"`
	State     SubscriptionState `json:"state"`
	CreatedAt time.Time         `json:"created_at"`
}

// Validate reports an EINVALID error when the subscription cannot be stored.
func (s *Subscription) Validate() error {
	switch {
	case s.AccountID == 0:
		return Errorf(EINVALID, "A subscription needs an account.")
	case s.OfferRef == "":
		return Errorf(EINVALID, "A subscription needs an offer.")
	case s.Begin.IsZero():
		return Errorf(EINVALID, "A subscription needs a start date.")
	case s.End != nil && !s.End.After(s.Begin):
		// The end is the instant after the last day: say the last day, as
		// the person gave it.
		return Errorf(EINVALID, "A subscription must end after it starts: its last day, %s, is before its first day, %s.", LastDay(*s.End), FormatDate(s.Begin))
	case s.State != SubscriptionActive && s.State != SubscriptionSuspended:
		return Errorf(EINVALID, "Unknown subscription state %q (use active or suspended).", s.State)
	}
	return nil
}

// Covers reports whether the subscription is active and its period contains t.
func (s *Subscription) Covers(t time.Time) bool {
	return s.State == SubscriptionActive && !t.Before(s.Begin) && (s.End == nil || t.Before(*s.End))
}

// RunningSubscription returns the subscription GLPI is told about at server
// time now: the highest-level one whose period contains now. It returns nil
// when none runs. offers maps references to offers; a subscription to an
// unknown offer never runs.
func RunningSubscription(subs []*Subscription, offers map[string]*Offer, now time.Time) *Subscription {
	var best *Subscription
	for _, s := range subs {
		o := offers[s.OfferRef]
		if o == nil || !s.Covers(now) {
			continue
		}
		if best == nil {
			best = s
			continue
		}
		bo := offers[best.OfferRef]
		// Same level: the one that lasts longer is the more useful to show.
		if o.Level > bo.Level || o.Level == bo.Level && endsAfter(s, best) {
			best = s
		}
	}
	return best
}

// LastEnded returns, among the subscriptions to an offer above level that
// ended by now, the one that ended last; nil when none did or when one of
// them still runs or is to come (the ending is then not the last word).
func LastEnded(subs []*Subscription, offers map[string]*Offer, level int, now time.Time) *Subscription {
	var last *Subscription
	for _, s := range subs {
		o := offers[s.OfferRef]
		if o == nil || o.Level <= level || s.State != SubscriptionActive {
			continue // a suspended one did not end: an operator stopped it
		}
		if s.End == nil || s.End.After(now) {
			return nil // running (then it would be the running one) or to come
		}
		if last == nil || s.End.After(*last.End) {
			last = s
		}
	}
	return last
}

func endsAfter(a, b *Subscription) bool {
	if a.End == nil {
		return b.End != nil
	}
	return b.End != nil && a.End.After(*b.End)
}

// NextChange returns the first instant after now at which the running
// subscription may change by the passing of time alone (a begin or end of
// any subscription), or the zero time when none will.
func NextChange(subs []*Subscription, now time.Time) time.Time {
	var ts []time.Time
	for _, s := range subs {
		if s.Begin.After(now) {
			ts = append(ts, s.Begin)
		}
		if s.End != nil && s.End.After(now) {
			ts = append(ts, *s.End)
		}
	}
	if len(ts) == 0 {
		return time.Time{}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts[0]
}

// FormatDate formats t as GLPI shows dates: YYYY-MM-DD in UTC.
func FormatDate(t time.Time) string {
	return t.UTC().Format(time.DateOnly)
}

// LastDay returns the last day a subscription ending (exclusively) at end
// covers, as users think of it: a subscription "until 2027-12-31" ends at
// 2028-01-01T00:00:00Z.
func LastDay(end time.Time) string {
	return FormatDate(end.Add(-time.Nanosecond))
}

// SubscriptionStore keeps subscriptions.
type SubscriptionStore interface {
	// CreateSubscription stores s and sets its ID. Returns EINVALID (bad
	// period, unknown offer) and ENOTFOUND (no such account).
	CreateSubscription(ctx context.Context, s *Subscription) error
	// ListSubscriptions returns an account's subscriptions by begin date.
	// Returns ENOTFOUND.
	ListSubscriptions(ctx context.Context, accountID int64) ([]*Subscription, error)
	// UpdateSubscription changes a subscription's end and state.
	// Returns ENOTFOUND, EINVALID.
	UpdateSubscription(ctx context.Context, id int64, end *time.Time, state SubscriptionState) (*Subscription, error)
}
