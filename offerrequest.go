package glpinet

import (
	"context"
	"time"
)

// OfferRequestState is where a request for an offer stands.
type OfferRequestState string

// Offer request states: a request is pending until an operator decides it,
// once.
const (
	OfferRequestPending  OfferRequestState = "pending"
	OfferRequestGranted  OfferRequestState = "granted"
	OfferRequestDeclined OfferRequestState = "declined"
)

// Mail kinds of offer requests (templates in package mail).
const (
	// MailKindOfferRequest tells an operator that an account asks for an
	// offer; its values are "name" (the operator's), "account", "offer"
	// (its title in the operator's language), "requester" (name and
	// e-mail), "message" ("" for none) and "link" (the operators'
	// requests page, "" without a public URL).
	MailKindOfferRequest = "offer-request"
	// MailKindOfferGranted tells the requester that the offer was
	// granted; its values are "name", "account", "offer" and "period".
	MailKindOfferGranted = "offer-granted"
	// MailKindOfferDeclined tells the requester that the request was
	// declined; its values are "name", "account", "offer" and "reason"
	// (the operator's, "" for none).
	MailKindOfferDeclined = "offer-declined"
)

// MaxOfferRequestMessageLen bounds the message a customer adds to a
// request, in characters.
const MaxOfferRequestMessageLen = 1000

// OfferRequest is an account's request for a paid offer, made by one of
// its users from the offers page and decided by an operator: granting it
// creates the subscription.
type OfferRequest struct {
	ID        int64  `json:"id"`
	AccountID int64  `json:"account_id"`
	OfferRef  string `json:"offer_reference"`
	// UserID is the requester.
	UserID  int64             `json:"user_id"`
	Message string            `json:"message"`
	State   OfferRequestState `json:"state"`
	// DecidedBy is the audit actor who granted or declined it; DecidedAt
	// when (nil while pending).
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at"`
	// SubscriptionID is the subscription a grant created.
	SubscriptionID *int64    `json:"subscription_id"`
	CreatedAt      time.Time `json:"created_at"`
	// Link is, for CreateOfferRequest, the absolute URL of the page where
	// operators decide requests, which their mail links to: built from
	// the configured public URL, "" without one (the mail then names the
	// page). It goes into the mails only, never into the request's row.
	Link string `json:"-"`
}

// Validate reports an EINVALID error when the request cannot be stored.
func (r *OfferRequest) Validate() error {
	switch {
	case r.AccountID == 0:
		return Errorf(EINVALID, "An offer request needs an account.")
	case r.UserID == 0:
		return Errorf(EINVALID, "An offer request needs its requester.")
	case r.OfferRef == "":
		return Errorf(EINVALID, "An offer request needs an offer.")
	}
	return CheckText("message", r.Message, MaxOfferRequestMessageLen)
}

// OfferRequestFilter selects offer requests for ListOfferRequests, newest
// first.
type OfferRequestFilter struct {
	AccountID int64             // 0: every account
	State     OfferRequestState // "": every state
	Limit     int               // 0: 100
}

// OfferGrant is an operator's grant of a pending request: the
// subscription's period (End nil: it never ends).
type OfferGrant struct {
	Begin time.Time
	End   *time.Time
}

// OfferRequestStore keeps offer requests. Each write is one transaction
// with its audit event and mails.
type OfferRequestStore interface {
	// CreateOfferRequest stores r as pending, sets its ID, State and
	// CreatedAt, and mails every enabled operator (MailKindOfferRequest,
	// in each one's language). Returns EINVALID (no such paid offer, a
	// requester who is not a member of the account), ENOTFOUND (no such
	// account), EFORBIDDEN (the account is suspended) and ECONFLICT (the
	// account already has a pending request for this offer).
	CreateOfferRequest(ctx context.Context, r *OfferRequest) error
	// ListOfferRequests returns requests newest first.
	ListOfferRequests(ctx context.Context, f OfferRequestFilter) ([]*OfferRequest, error)
	// GrantOfferRequest grants pending request id: it creates the
	// subscription for g's period (with the rules and records of
	// CreateSubscription) and mails the requester (MailKindOfferGranted).
	// Returns ENOTFOUND, ECONFLICT (already decided), EINVALID (period).
	GrantOfferRequest(ctx context.Context, id int64, g OfferGrant) (*OfferRequest, *Subscription, error)
	// DeclineOfferRequest declines pending request id and mails the
	// requester (MailKindOfferDeclined) with reason ("" for none; it is
	// recorded in the audit event, not in the request). Returns
	// ENOTFOUND, ECONFLICT, EINVALID (a reason too long).
	DeclineOfferRequest(ctx context.Context, id int64, reason string) (*OfferRequest, error)
}

// RenewalWindow is how long before a paid subscription ends its account
// may ask for the same offer again (its renewal).
const RenewalWindow = 30 * 24 * time.Hour

// OfferAskable reports whether an account whose running subscription is
// running (nil: none) may ask for offer o at now: a paid offer above the
// running one, or the running one itself in its last RenewalWindow. The
// portal shows the button by it and refuses a request by it.
func OfferAskable(o *Offer, running *Subscription, offers map[string]*Offer, now time.Time) bool {
	if o == nil || o.Reference == FreeOfferReference {
		return false
	}
	level := -1
	if running != nil && offers[running.OfferRef] != nil {
		level = offers[running.OfferRef].Level
	}
	if o.Level > level {
		return true
	}
	return running != nil && running.OfferRef == o.Reference && running.End != nil && running.End.Sub(now) <= RenewalWindow
}
