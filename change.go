package glpinet

import (
	"context"
	"time"
)

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
