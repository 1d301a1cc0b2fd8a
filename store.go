package glpinet

import (
	"context"
)

// Store is the persistence of glpinet. Every method is one transaction;
// mutations record an audit event (attributed with ActorFrom(ctx)) and a
// Change in the same transaction, so that caches of every replica learn of it
// (attempt counters, which are not business data, record neither: see
// ThrottleStore).
//
// Implementations: sqlite (default), postgres; storetest checks both.
type Store interface {
	// Ping checks that the database answers. Returns EUNAVAILABLE.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	AccountStore
	OfferStore
	SubscriptionStore
	SubscriptionNoticeStore
	OfferRequestStore
	KeyStore
	InstanceStore
	PluginStore
	AuditStore
	ChangeFeed
	UserStore
	SessionStore
	InvitationStore
	TokenStore
	PasswordResetStore
	EmailVerificationStore
	ThrottleStore
	MailStore
}
