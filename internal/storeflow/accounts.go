package storeflow

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
)

// AccountWriteTx is a transaction that changes accounts and subscriptions.
type AccountWriteTx interface {
	UserTx
	// UpdateAccountState sets account id's state; found is false when
	// there is no such account.
	UpdateAccountState(ctx context.Context, id int64, state glpinet.AccountState) (found bool, err error)
	// OfferExists reports whether the offer with this reference exists.
	OfferExists(ctx context.Context, ref string) (bool, error)
	// InsertSubscription stores s and sets its ID and CreatedAt.
	InsertSubscription(ctx context.Context, s *glpinet.Subscription) error
	// LockSubscription reads subscription id, locked; nil when none.
	LockSubscription(ctx context.Context, id int64) (*glpinet.Subscription, error)
	// UpdateSubscription writes subscription s's end and state.
	UpdateSubscription(ctx context.Context, s *glpinet.Subscription) error
}

// accountChanged announces a change of account id to the caches, and
// records it.
func accountChanged(ctx context.Context, tx Tx, id int64, action, details string) error {
	if err := tx.Change(ctx, glpinet.TopicAccount, strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: action, Subject: glpinet.AccountSubject(id), Details: details})
}

// CreateAccount is glpinet.AccountStore.CreateAccount.
func CreateAccount(ctx context.Context, tx AccountWriteTx, a *glpinet.Account) error {
	if a.State == "" {
		a.State = glpinet.AccountActive
	}
	a.Name = strings.TrimSpace(a.Name)
	if err := a.Validate(); err != nil {
		return err
	}
	if err := tx.InsertAccount(ctx, a); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "account.create", Subject: glpinet.AccountSubject(a.ID), Details: a.Name})
}

// SetAccountState is glpinet.AccountStore.SetAccountState.
func SetAccountState(ctx context.Context, tx AccountWriteTx, id int64, state glpinet.AccountState) error {
	if state != glpinet.AccountActive && state != glpinet.AccountSuspended {
		return glpinet.Errorf(glpinet.EINVALID, "Unknown account state %q (use active or suspended).", state)
	}
	if found, err := tx.UpdateAccountState(ctx, id, state); err != nil {
		return err
	} else if !found {
		return glpinet.Errorf(glpinet.ENOTFOUND, "Account %d does not exist.", id)
	}
	return accountChanged(ctx, tx, id, "account.state", string(state))
}

// describePeriod says a subscription's period in the audit log.
func describePeriod(s *glpinet.Subscription) string {
	if s.End == nil {
		return "from " + glpinet.FormatDate(s.Begin)
	}
	return "from " + glpinet.FormatDate(s.Begin) + " until " + glpinet.LastDay(*s.End)
}

// CreateSubscription is glpinet.SubscriptionStore.CreateSubscription.
func CreateSubscription(ctx context.Context, tx AccountWriteTx, s *glpinet.Subscription) error {
	if s.State == "" {
		s.State = glpinet.SubscriptionActive
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if err := tx.AccountExists(ctx, s.AccountID); err != nil {
		return err
	}
	if ok, err := tx.OfferExists(ctx, s.OfferRef); err != nil {
		return err
	} else if !ok {
		return glpinet.Errorf(glpinet.EINVALID, "There is no offer %q.", s.OfferRef)
	}
	if err := tx.InsertSubscription(ctx, s); err != nil {
		return err
	}
	return accountChanged(ctx, tx, s.AccountID, "subscription.grant", s.OfferRef+" "+describePeriod(s))
}

// UpdateSubscription is glpinet.SubscriptionStore.UpdateSubscription. The
// lock makes the check below hold for the row as it will be written.
func UpdateSubscription(ctx context.Context, tx AccountWriteTx, id int64, end *time.Time, state glpinet.SubscriptionState) (*glpinet.Subscription, error) {
	s, err := tx.LockSubscription(ctx, id)
	if err != nil {
		return nil, err
	} else if s == nil {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Subscription %d does not exist.", id)
	}
	s.End, s.State = end, state
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := tx.UpdateSubscription(ctx, s); err != nil {
		return nil, err
	}
	return s, accountChanged(ctx, tx, s.AccountID, "subscription.update", s.OfferRef+" "+string(state)+" "+describePeriod(s))
}
