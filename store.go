package glpinet

import (
	"context"
	"time"
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
	KeyStore
	InstanceStore
	PluginStore
	AuditStore
	ChangeFeed
	UserStore
	SessionStore
	InvitationStore
	TokenStore
	ThrottleStore
}

// AccountStore keeps accounts.
type AccountStore interface {
	// CreateAccount stores a new account, sets its ID and timestamps, and
	// gives it its perpetual free subscription. Returns EINVALID.
	CreateAccount(ctx context.Context, a *Account) error
	// FindAccountByID returns ENOTFOUND.
	FindAccountByID(ctx context.Context, id int64) (*Account, error)
	// FindAccounts returns the matching accounts by ID and their total count.
	FindAccounts(ctx context.Context, f AccountFilter) ([]*Account, int, error)
	// SetAccountState suspends or reactivates an account. Returns ENOTFOUND, EINVALID.
	SetAccountState(ctx context.Context, id int64, state AccountState) error
	// CountAccounts returns how many accounts exist.
	CountAccounts(ctx context.Context) (int, error)
}

// OfferStore keeps offers.
type OfferStore interface {
	// ListOffers returns every offer by increasing level.
	ListOffers(ctx context.Context) ([]*Offer, error)
	// SaveOffer creates or updates an offer by reference. Returns EINVALID.
	SaveOffer(ctx context.Context, o *Offer) error
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

// KeyStore keeps registration keys (their hashes).
type KeyStore interface {
	// CreateKey stores a new key for k.AccountID from its Hash, Prefix and
	// Label, and sets ID and CreatedAt. Returns EINVALID (label, see
	// MaxLabelLen), ENOTFOUND, EFORBIDDEN (the account is suspended),
	// ECONFLICT (hash already used).
	CreateKey(ctx context.Context, k *RegistrationKey) error
	// RotateKey stores next as the replacement of key id, which stays valid
	// until graceUntil; next keeps the old label unless it has its own.
	// Returns EINVALID (label), ENOTFOUND, ECONFLICT (already rotated or
	// revoked), EFORBIDDEN (the account is suspended).
	RotateKey(ctx context.Context, id int64, next *RegistrationKey, graceUntil time.Time) error
	// RevokeKey revokes key id now. Returns ENOTFOUND, ECONFLICT (already revoked).
	RevokeKey(ctx context.Context, id int64) error
	// FindKeyRecord returns what validating the key with this hash needs.
	// Returns ENOTFOUND.
	FindKeyRecord(ctx context.Context, hash [32]byte) (*KeyRecord, error)
	// FindKeyByID returns ENOTFOUND.
	FindKeyByID(ctx context.Context, id int64) (*RegistrationKey, error)
	// ListKeys returns an account's keys, newest first.
	ListKeys(ctx context.Context, accountID int64) ([]*RegistrationKey, error)
	// CreateKeys stores many keys at once (seeding and imports): one audit
	// event and one TopicKeys change for the whole batch, none per key.
	// Returns EINVALID (a label), ENOTFOUND, EFORBIDDEN (an account is
	// suspended), ECONFLICT.
	CreateKeys(ctx context.Context, keys []*RegistrationKey) error
	// EachKeyHash calls fn with the hash of every stored key, revoked,
	// rotated and expired ones included, in no particular order, from one
	// snapshot of the database. It streams: memory does not grow with the
	// number of keys. It stops at fn's first error and returns it.
	EachKeyHash(ctx context.Context, fn func(hash [32]byte) error) error
}

// InstanceStore keeps the GLPI instances seen with each key.
type InstanceStore interface {
	// RecordSightings upserts instances (first seen kept, last seen raised).
	RecordSightings(ctx context.Context, s []Sighting) error
	// ListInstances returns an account's instances, most recently seen first.
	ListInstances(ctx context.Context, accountID int64) ([]*Instance, error)
}

// PluginStore keeps the catalogue.
type PluginStore interface {
	// PublishVersion creates or updates plugin p's metadata and adds version
	// v. Returns EINVALID, ECONFLICT (the version exists and force is false).
	PublishVersion(ctx context.Context, p *Plugin, v *Version, force bool) error
	// FindPlugin returns a plugin with all its versions. Returns ENOTFOUND.
	FindPlugin(ctx context.Context, key string) (*Plugin, error)
	// ListPlugins returns the whole catalogue by key, with versions (oldest
	// first) and tags.
	ListPlugins(ctx context.Context) ([]*Plugin, error)
	// FindVersion returns one version. Returns ENOTFOUND.
	FindVersion(ctx context.Context, key, num string) (*Version, error)
	// SavePluginMeta updates an existing plugin's catalogue text and tags
	// (not its versions). Returns EINVALID, ENOTFOUND.
	SavePluginMeta(ctx context.Context, p *Plugin) error
	// YankVersion withdraws a version from the catalogue and its downloads
	// (or puts it back). Returns ENOTFOUND.
	YankVersion(ctx context.Context, key, num string, yanked bool) error
	// SignVersions replaces, in one transaction, the archive signature of
	// every version for which sign returns one different from the stored
	// one (after the signing key was lost or replaced), and returns how
	// many changed.
	SignVersions(ctx context.Context, sign func(v *Version) []byte) (int, error)
	// AddDownloads adds n to the download counts of a plugin. Returns ENOTFOUND.
	AddDownloads(ctx context.Context, key string, n int64) error
	// ListTags returns every tag with how many plugins carry it.
	ListTags(ctx context.Context) ([]*TagCount, error)
	// SaveTag creates or updates a tag's names. Returns EINVALID.
	SaveTag(ctx context.Context, t *Tag) error
}

// TagCount is a tag with the number of plugins that carry it.
type TagCount struct {
	Tag
	Plugins int `json:"plugin_count"`
}

// AuditStore reads the audit log (mutations write it themselves).
type AuditStore interface {
	// ListAuditEvents returns events newest first.
	ListAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
}

// Change topics: what a Change invalidates.
const (
	TopicKey       = "key"       // Subject: hex SHA-256 of the key
	TopicKeys      = "keys"      // Subject: number of keys created (CreateKeys); the key set must be reloaded
	TopicAccount   = "account"   // Subject: account ID (its state, subscriptions or keys)
	TopicOffers    = "offers"    // Subject: offer reference
	TopicCatalogue = "catalogue" // Subject: plugin key
)

// Change is an entry of the change feed, written in the transaction of the
// mutation it describes.
type Change struct {
	ID      int64
	Topic   string
	Subject string
	At      time.Time
}

// ChangeFeed lets caches follow mutations made by any process.
type ChangeFeed interface {
	// ChangesSince returns up to limit changes with an ID above after, oldest first.
	ChangesSince(ctx context.Context, after int64, limit int) ([]Change, error)
	// LastChangeID returns the ID of the latest change, 0 when none.
	LastChangeID(ctx context.Context) (int64, error)
}

// ChangeListener is a ChangeFeed that pushes each change as its
// transaction commits (PostgreSQL LISTEN/NOTIFY). Replicas then learn of a
// revocation at once, and in commit order: polling by ID cannot give that
// when concurrent transactions commit out of ID order, as they do on
// PostgreSQL, where a change with a lower ID may become visible after one
// with a higher ID has been read.
type ChangeListener interface {
	// ListenChanges listens for changes until ctx ends or the connection
	// is lost (its error). It calls ready once listening: every change
	// committed after that is passed to apply, in commit order; changes
	// committed before (or while not listening) are not, so the caller
	// resynchronises in ready.
	ListenChanges(ctx context.Context, ready func(), apply func(Change)) error
}

// UserStore keeps portal users.
type UserStore interface {
	// SignUp creates an account (with its free subscription) and its owner
	// in one transaction, setting both IDs. Returns EINVALID, ECONFLICT
	// (e-mail already used).
	SignUp(ctx context.Context, a *Account, owner *User) error
	// CreateUser stores a user of an existing account, or an operator
	// (AccountID 0). Returns EINVALID, ENOTFOUND (account), ECONFLICT (e-mail).
	CreateUser(ctx context.Context, u *User) error
	// FindUserByID returns ENOTFOUND.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByEmail returns ENOTFOUND; e-mails compare without case.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// ListUsers returns an account's users by ID.
	ListUsers(ctx context.Context, accountID int64) ([]*User, error)
	// SetPassword replaces a user's password hash and ends their sessions.
	// Returns ENOTFOUND.
	SetPassword(ctx context.Context, userID int64, hash string) error
}

// SessionStore keeps portal sessions.
type SessionStore interface {
	// CreateSession stores a session.
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns a session that has not expired, with its user.
	// Returns ENOTFOUND.
	FindSession(ctx context.Context, hash [32]byte) (*Session, *User, error)
	// DeleteSession ends a session (logging out); unknown ones are ignored.
	DeleteSession(ctx context.Context, hash [32]byte) error
}

// InvitationStore keeps invitations to join an account.
type InvitationStore interface {
	// CreateInvitation stores an invitation and sets its ID. Returns
	// EINVALID, ENOTFOUND (account).
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// FindInvitation returns the invitation with this code hash. Returns
	// ENOTFOUND.
	FindInvitation(ctx context.Context, hash [32]byte) (*Invitation, error)
	// ListInvitations returns an account's invitations, newest first.
	ListInvitations(ctx context.Context, accountID int64) ([]*Invitation, error)
	// RevokeInvitation revokes invitation id of the account. Returns
	// ENOTFOUND, ECONFLICT (already revoked).
	RevokeInvitation(ctx context.Context, accountID, id int64) error
	// AcceptInvitation creates u in the invitation's account with its role
	// and counts the use, in one transaction. Returns ENOTFOUND (unknown
	// code), EINVALID (revoked, expired, used up, bad user), ECONFLICT
	// (e-mail already used).
	AcceptInvitation(ctx context.Context, hash [32]byte, u *User) (*Invitation, error)
}

// TokenStore keeps personal API tokens.
type TokenStore interface {
	// CreateToken stores a token and sets its ID. Returns EINVALID, ENOTFOUND
	// (user), EFORBIDDEN (the user's account is suspended; operators, who
	// have no account, are not concerned).
	CreateToken(ctx context.Context, t *APIToken) error
	// FindToken returns a token that is neither revoked nor expired, with
	// its user. Returns ENOTFOUND.
	FindToken(ctx context.Context, hash [32]byte) (*APIToken, *User, error)
	// ListTokens returns a user's tokens, newest first.
	ListTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// RevokeToken revokes token id of the user. Returns ENOTFOUND, ECONFLICT.
	RevokeToken(ctx context.Context, userID, id int64) error
	// TouchToken records that a token was used at.
	TouchToken(ctx context.Context, id int64, at time.Time) error
}
