package glpinet

import (
	"context"
	"time"
)

// ValidationCode is the stable verdict on a registration key, sent to GLPI
// beside the localised message and used by tools and metrics.
type ValidationCode string

// Validation codes.
const (
	ValidationValid             ValidationCode = "VALID"
	ValidationMissing           ValidationCode = "MISSING"            // no key was sent
	ValidationMalformed         ValidationCode = "MALFORMED"          // not a well-formed key (typo, truncated…)
	ValidationUnknown           ValidationCode = "UNKNOWN"            // well formed, but never issued here
	ValidationRevoked           ValidationCode = "REVOKED"            // revoked by its account or an operator
	ValidationRotatedExpired    ValidationCode = "ROTATED_EXPIRED"    // replaced by rotation, grace period over
	ValidationSubscriptionEnded ValidationCode = "SUBSCRIPTION_ENDED" // the key is good but no subscription runs
	ValidationAccountSuspended  ValidationCode = "ACCOUNT_SUSPENDED"  // the key is good but its account is suspended
)

// Validation is the verdict on one key at one instant. It is a result, not an
// error: an invalid key is a normal answer.
type Validation struct {
	Code       ValidationCode
	KeyProblem KeyProblem // why the key is MALFORMED
	Record     *KeyRecord // the key's record; nil when the key is not known
	// Running is the running subscription (VALID), or for
	// SUBSCRIPTION_ENDED the one that ended last, if any.
	Running *Subscription
	Offer   *Offer // Running's offer
	// Lapsed is, for VALID, the subscription to a higher offer than the
	// running one that ended last, if any: the free offer keeps GLPI
	// registered, but its administrator must learn that the paid one
	// ended, and when (LapsedOffer is its offer).
	Lapsed      *Subscription
	LapsedOffer *Offer
	// Expires is when the verdict may change by time alone (a grace period
	// or a subscription boundary); zero when it will not.
	Expires time.Time
	// Memo caches what callers derive from this verdict; may be nil.
	Memo *Memo
}

// IsValid is what GLPI's is_valid says: the key is ours and usable, even if
// no subscription runs (GLPI then shows that the subscription has ended).
func (v Validation) IsValid() bool {
	switch v.Code {
	case ValidationValid, ValidationSubscriptionEnded, ValidationAccountSuspended:
		return true
	}
	return false
}

// IsRunning reports whether a subscription runs: the marketplace is usable.
func (v Validation) IsRunning() bool { return v.Code == ValidationValid }

// Level returns the level of the running offer, -1 when none runs.
func (v Validation) Level() int {
	if !v.IsRunning() || v.Offer == nil {
		return -1
	}
	return v.Offer.Level
}

// Evaluate decides the validation of a known key at server time now.
func Evaluate(rec *KeyRecord, offers map[string]*Offer, now time.Time) Validation {
	v := Validation{Record: rec}
	k := &rec.Key
	switch {
	case k.RevokedAt != nil && !now.Before(*k.RevokedAt):
		v.Code = ValidationRevoked
		return v
	case k.GraceUntil != nil && !now.Before(*k.GraceUntil):
		v.Code = ValidationRotatedExpired
		return v
	case rec.Account.State == AccountSuspended:
		v.Code = ValidationAccountSuspended
		return v
	}
	v.Expires = NextChange(rec.Subscriptions, now)
	if k.GraceUntil != nil && (v.Expires.IsZero() || k.GraceUntil.Before(v.Expires)) {
		v.Expires = *k.GraceUntil
	}
	if s := RunningSubscription(rec.Subscriptions, offers, now); s != nil {
		v.Code, v.Running, v.Offer = ValidationValid, s, offers[s.OfferRef]
		v.Lapsed = LastEnded(rec.Subscriptions, offers, v.Offer.Level, now)
		if v.Lapsed != nil {
			v.LapsedOffer = offers[v.Lapsed.OfferRef]
		}
		return v
	}
	v.Code = ValidationSubscriptionEnded
	for _, s := range rec.Subscriptions {
		if s.End != nil && !s.End.After(now) && (v.Running == nil || s.End.After(*v.Running.End)) {
			v.Running = s
		}
	}
	if v.Running != nil {
		v.Offer = offers[v.Running.OfferRef]
	}
	return v
}

// Entitled reports whether a key with this validation may download a
// version that requires any of the required offers: its running offer's
// level must reach the lowest level among them (higher offers include lower
// ones). Nothing required means anyone may download.
func Entitled(v Validation, required []string, offers map[string]*Offer) bool {
	if len(required) == 0 {
		return true
	}
	return v.Level() >= MinLevel(required, offers)
}

// MinLevel returns the lowest level among the referenced offers; unknown
// references count as unreachable.
func MinLevel(refs []string, offers map[string]*Offer) int {
	min := int(^uint(0) >> 1)
	for _, r := range refs {
		if o := offers[r]; o != nil && o.Level < min {
			min = o.Level
		}
	}
	return min
}

// Validator validates registration keys. Validate returns an error only for
// internal failures (code EINTERNAL or EUNAVAILABLE) and for
// ErrRecheckBudget, never for a bad key.
type Validator interface {
	Validate(ctx context.Context, key string) (Validation, error)
}

// ErrRecheckBudget is Validate's answer for a key it does not hold in
// memory when it may not read the store to make sure (its budget of such
// reads is spent, or the caller's, see WithoutRechecks): unknown as far as
// it knows, but perhaps only not announced yet, so no verdict. The GLPI
// API answers it 429, without is_valid.
var ErrRecheckBudget = Errorf(ETOOMANY, "Too many unknown registration keys are being checked: try again shortly.")

type noRechecksKey struct{}

// WithoutRechecks marks ctx so that Validate answers a key it does not hold
// in memory with ErrRecheckBudget rather than reading the store: the
// caller's client has spent its share of such reads (a flood of made-up
// keys must not spend everybody's).
func WithoutRechecks(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRechecksKey{}, true)
}

// RechecksAllowed reports whether ctx allows Validate to read the store
// for a key it does not hold in memory.
func RechecksAllowed(ctx context.Context) bool {
	return ctx.Value(noRechecksKey{}) == nil
}
