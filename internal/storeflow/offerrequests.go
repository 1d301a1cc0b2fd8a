package storeflow

import (
	"context"
	"strconv"

	"github.com/glpinet/glpinet"
)

// OfferRequestTx is a transaction that stores offer requests.
type OfferRequestTx interface {
	AccountWriteTx
	// LockEnabledOperators reads the enabled operators' IDs, locked.
	LockEnabledOperators(ctx context.Context) ([]int64, error)
	// LockUser reads user id, locked; nil when none.
	LockUser(ctx context.Context, id int64) (*glpinet.User, error)
	// FindOffer reads the offer with this reference; nil when none.
	FindOffer(ctx context.Context, ref string) (*glpinet.Offer, error)
	// AccountName reads account id's name ("" when none).
	AccountName(ctx context.Context, id int64) (string, error)
	// InsertOfferRequest stores r and sets its ID and CreatedAt (the
	// transaction's instant). Returns ECONFLICT when the account has a
	// pending request for the offer (the unique index says so).
	InsertOfferRequest(ctx context.Context, r *glpinet.OfferRequest) error
	// LockOfferRequest reads request id, locked; nil when none.
	LockOfferRequest(ctx context.Context, id int64) (*glpinet.OfferRequest, error)
	// UpdateOfferRequest writes r's state, decider, decision instant and
	// subscription.
	UpdateOfferRequest(ctx context.Context, r *glpinet.OfferRequest) error
}

// offerRequestSubject names request id in the audit log.
func offerRequestSubject(id int64) string { return "offer-request:" + strconv.FormatInt(id, 10) }

// CreateOfferRequest is glpinet.OfferRequestStore.CreateOfferRequest.
func CreateOfferRequest(ctx context.Context, tx OfferRequestTx, r *glpinet.OfferRequest) error {
	if err := r.Validate(); err != nil {
		return err
	}
	// A suspended account asks an operator to reactivate it first: a
	// grant would not run anyway.
	if err := accountsIssuable(ctx, tx, "it cannot request an offer", r.AccountID); err != nil {
		return err
	}
	o, err := tx.FindOffer(ctx, r.OfferRef)
	if err != nil {
		return err
	} else if o == nil || o.Reference == glpinet.FreeOfferReference {
		return glpinet.Errorf(glpinet.EINVALID, "There is no paid offer %q.", r.OfferRef)
	}
	u, err := tx.LockUser(ctx, r.UserID)
	if err != nil {
		return err
	} else if u == nil || u.AccountID != r.AccountID || u.Disabled() {
		return glpinet.Errorf(glpinet.EINVALID, "User %d is not a member of account %d.", r.UserID, r.AccountID)
	}
	name, err := tx.AccountName(ctx, r.AccountID)
	if err != nil {
		return err
	}
	r.State, r.DecidedBy, r.DecidedAt, r.SubscriptionID = glpinet.OfferRequestPending, "", nil, nil
	if err := tx.InsertOfferRequest(ctx, r); err != nil {
		return err
	}
	if err := tx.Audit(ctx, glpinet.AuditEvent{Action: "offer.request", Subject: glpinet.AccountSubject(r.AccountID),
		Details: offerRequestSubject(r.ID) + " " + r.OfferRef}); err != nil {
		return err
	}
	ops, err := tx.LockEnabledOperators(ctx)
	if err != nil {
		return err
	}
	for _, id := range ops {
		op, err := tx.LockUser(ctx, id)
		if err != nil {
			return err
		} else if op == nil {
			continue
		}
		if err := EnqueueMail(ctx, tx, &glpinet.Mail{To: op.Email, Lang: op.Lang, Kind: glpinet.MailKindOfferRequest,
			Data: map[string]string{"name": op.Name, "account": name, "offer": o.Title(op.Lang),
				"requester": u.Name + " <" + u.Email + ">", "message": r.Message, "link": r.Link}}); err != nil {
			return err
		}
	}
	return nil
}

// lockPendingRequest reads request id locked and checks that it is still
// pending: of two operators deciding at once, the second is refused.
func lockPendingRequest(ctx context.Context, tx OfferRequestTx, id int64) (*glpinet.OfferRequest, error) {
	r, err := tx.LockOfferRequest(ctx, id)
	if err != nil {
		return nil, err
	} else if r == nil {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Offer request %d does not exist.", id)
	} else if r.State != glpinet.OfferRequestPending {
		return nil, glpinet.Errorf(glpinet.ECONFLICT, "Offer request %d was already %s.", id, r.State)
	}
	return r, nil
}

// decide records the decision on r, its audit event (with the
// operator's reason, if any), and mails the requester when they still may
// read it.
func decide(ctx context.Context, tx OfferRequestTx, r *glpinet.OfferRequest, state glpinet.OfferRequestState, kind string, data map[string]string) error {
	now := tx.Now()
	r.State, r.DecidedBy, r.DecidedAt = state, glpinet.ActorFrom(ctx), &now
	if err := tx.UpdateOfferRequest(ctx, r); err != nil {
		return err
	}
	details := offerRequestSubject(r.ID) + " " + r.OfferRef
	if data["reason"] != "" {
		details += " reason: " + data["reason"]
	}
	if err := tx.Audit(ctx, glpinet.AuditEvent{Action: "offer.request-" + string(state), Subject: glpinet.AccountSubject(r.AccountID),
		Details: details}); err != nil {
		return err
	}
	u, err := tx.LockUser(ctx, r.UserID)
	if err != nil {
		return err
	} else if u == nil || u.Disabled() || u.AccountID != r.AccountID {
		return nil // removed since: the decision stands, nobody to tell
	}
	o, err := tx.FindOffer(ctx, r.OfferRef)
	if err != nil {
		return err
	}
	name, err := tx.AccountName(ctx, r.AccountID)
	if err != nil {
		return err
	}
	data["name"], data["account"], data["offer"] = u.Name, name, r.OfferRef
	if o != nil {
		data["offer"] = o.Title(u.Lang)
	}
	return EnqueueMail(ctx, tx, &glpinet.Mail{To: u.Email, Lang: u.Lang, Kind: kind, Data: data})
}

// GrantOfferRequest is glpinet.OfferRequestStore.GrantOfferRequest. The
// subscription is created by CreateSubscription, so that a grant checks
// and records exactly what an operator's grant by hand does.
func GrantOfferRequest(ctx context.Context, tx OfferRequestTx, id int64, g glpinet.OfferGrant) (*glpinet.OfferRequest, *glpinet.Subscription, error) {
	r, err := lockPendingRequest(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	s := &glpinet.Subscription{AccountID: r.AccountID, OfferRef: r.OfferRef, Begin: g.Begin, End: g.End}
	if err := CreateSubscription(ctx, tx, s); err != nil {
		return nil, nil, err
	}
	r.SubscriptionID = &s.ID
	return r, s, decide(ctx, tx, r, glpinet.OfferRequestGranted, glpinet.MailKindOfferGranted,
		map[string]string{"period": describePeriod(s)})
}

// DeclineOfferRequest is glpinet.OfferRequestStore.DeclineOfferRequest.
func DeclineOfferRequest(ctx context.Context, tx OfferRequestTx, id int64, reason string) (*glpinet.OfferRequest, error) {
	if err := glpinet.CheckText("reason", reason, glpinet.MaxOfferRequestMessageLen); err != nil {
		return nil, err
	}
	r, err := lockPendingRequest(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return r, decide(ctx, tx, r, glpinet.OfferRequestDeclined, glpinet.MailKindOfferDeclined, map[string]string{"reason": reason})
}

// OfferRequestLimit is f's limit: 100 when unset, at most 1000.
func OfferRequestLimit(f glpinet.OfferRequestFilter) int {
	if f.Limit <= 0 {
		return 100
	}
	return min(f.Limit, 1000)
}

// CreateOfferRequest implements glpinet.OfferRequestStore.
func (w Methods[T]) CreateOfferRequest(ctx context.Context, r *glpinet.OfferRequest) error {
	return w.Update(ctx, func(tx T) error { return CreateOfferRequest(ctx, tx, r) })
}

// GrantOfferRequest implements glpinet.OfferRequestStore.
func (w Methods[T]) GrantOfferRequest(ctx context.Context, id int64, g glpinet.OfferGrant) (r *glpinet.OfferRequest, s *glpinet.Subscription, err error) {
	err = w.Update(ctx, func(tx T) error {
		r, s, err = GrantOfferRequest(ctx, tx, id, g)
		return err
	})
	return r, s, err
}

// DeclineOfferRequest implements glpinet.OfferRequestStore.
func (w Methods[T]) DeclineOfferRequest(ctx context.Context, id int64, reason string) (r *glpinet.OfferRequest, err error) {
	err = w.Update(ctx, func(tx T) error {
		r, err = DeclineOfferRequest(ctx, tx, id, reason)
		return err
	})
	return r, err
}

// NoEmptyTexts sets the offer texts read as {} to nil, as they were
// saved: an offer without prices reads back equal to itself.
func NoEmptyTexts(o *glpinet.Offer) *glpinet.Offer {
	if len(o.Prices) == 0 {
		o.Prices = nil
	}
	if len(o.Descriptions) == 0 {
		o.Descriptions = nil
	}
	return o
}
