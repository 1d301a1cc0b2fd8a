package service

import (
	"context"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
)

// Offer requests: a customer's owner or admin asks for a paid offer (the
// portal's offers page, POST /api/v1/offer-requests); an operator grants
// it in one step, the subscription made with the grant, or declines it
// (the portal's requests page, /api/v1, glpinetd request). The store
// mails the operators and the requester in the transaction of each step.

// ErrNotAskable is RequestOffer's answer for an offer the account may not
// ask for: the one that runs (outside its renewal window) or a lower one.
// Surfaces that translate their messages recognise it with errors.Is.
var ErrNotAskable = glpinet.Errorf(glpinet.ECONFLICT, "Your account already runs this offer or a higher one: there is nothing to ask for (a running offer may be asked for again in its last %d days).",
	int(glpinet.RenewalWindow/(24*time.Hour)))

// RequestOffer records u's request, for their account, of the paid offer
// ref, with message (trimmed) for the operators. link is the absolute URL
// of the operators' requests page for their mail ("" when the server has
// no public URL). Only an account's owners and admins may ask, the ones
// who decide what it pays for (EFORBIDDEN), and only for a paid offer
// above the running one or the running one in its last
// glpinet.RenewalWindow (ErrNotAskable, an ECONFLICT); the store's rules
// follow (EINVALID: no such paid offer; EFORBIDDEN: a suspended account;
// ECONFLICT: a request for it already pending).
func (s *Service) RequestOffer(ctx context.Context, u *glpinet.User, ref, message, link string) (*glpinet.OfferRequest, error) {
	if !CanManage(u) {
		return nil, glpinet.Errorf(glpinet.EFORBIDDEN, "Only the account's owners and admins may request an offer.")
	}
	subs, err := s.Store.ListSubscriptions(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	offers, err := s.Store.ListOffers(ctx)
	if err != nil {
		return nil, err
	}
	// An unknown reference is the store's EINVALID, with its name.
	m, now := glpinet.OfferMap(offers), s.now()
	if o := m[ref]; o != nil && !glpinet.OfferAskable(o, glpinet.RunningSubscription(subs, m, now), m, now) {
		return nil, ErrNotAskable
	}
	req := &glpinet.OfferRequest{AccountID: u.AccountID, OfferRef: ref, UserID: u.ID, Message: strings.TrimSpace(message), Link: link}
	if err := s.Store.CreateOfferRequest(ctx, req); err != nil {
		return nil, err
	}
	return req, nil
}

// ListOfferRequests returns account's requests (0: every account's),
// newest first, in state ("" for every state; EINVALID for a state that
// does not exist), at most 1000.
func (s *Service) ListOfferRequests(ctx context.Context, account int64, state string) ([]*glpinet.OfferRequest, error) {
	st := glpinet.OfferRequestState(strings.TrimSpace(state))
	switch st {
	case "", glpinet.OfferRequestPending, glpinet.OfferRequestGranted, glpinet.OfferRequestDeclined:
	default:
		return nil, glpinet.Errorf(glpinet.EINVALID, "The state %q is none of pending, granted and declined.", state)
	}
	qs, err := s.Store.ListOfferRequests(ctx, glpinet.OfferRequestFilter{AccountID: account, State: st, Limit: 1000})
	if qs == nil && err == nil {
		qs = []*glpinet.OfferRequest{}
	}
	return qs, err
}

// GrantPeriod is the period of a grant decided at now: from the start of
// today (UTC, as every period) until last included, or, when last is nil
// (the one-click grant), for one year, its last day the eve of the same
// date a year on.
func GrantPeriod(now time.Time, last *time.Time) glpinet.OfferGrant {
	today := now.UTC().Truncate(24 * time.Hour)
	end := today.AddDate(1, 0, 0)
	if last != nil {
		end = EndAfter(*last)
	}
	return glpinet.OfferGrant{Begin: today, End: &end}
}

// GrantOfferRequest grants pending request id for GrantPeriod(now, last):
// the subscription is created with the grant, and the requester mailed.
// Callers check that the caller is an operator. Returns the store's
// ENOTFOUND, ECONFLICT (already decided) and EINVALID (a last day before
// today).
func (s *Service) GrantOfferRequest(ctx context.Context, id int64, last *time.Time) (*glpinet.OfferRequest, *glpinet.Subscription, error) {
	return s.Store.GrantOfferRequest(ctx, id, GrantPeriod(s.now(), last))
}

// DeclineOfferRequest declines pending request id; reason (trimmed, ""
// for none) goes into the requester's mail and the audit log. Callers
// check that the caller is an operator. Returns the store's ENOTFOUND,
// ECONFLICT and EINVALID (a reason too long).
func (s *Service) DeclineOfferRequest(ctx context.Context, id int64, reason string) (*glpinet.OfferRequest, error) {
	return s.Store.DeclineOfferRequest(ctx, id, strings.TrimSpace(reason))
}
