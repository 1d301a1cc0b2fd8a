package cache

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
)

// CatalogueStore is what the catalogue is loaded from.
type CatalogueStore interface {
	ListPlugins(ctx context.Context) ([]*glpinet.Plugin, error)
	ListOffers(ctx context.Context) ([]*glpinet.Offer, error)
	ListTags(ctx context.Context) ([]*glpinet.TagCount, error)
}

// Catalogue holds the current catalogue snapshot and rebuilds it when the
// change feed reports a catalogue or offer change.
type Catalogue struct {
	store CatalogueStore
	now   func() time.Time

	// MaxAge forces a rebuild even without a change notice: download counts,
	// which are not announced on the feed, are refreshed this often.
	MaxAge time.Duration

	cur    atomic.Pointer[glpinet.Catalogue]
	dirty  atomic.Bool
	mu     sync.Mutex // serialises rebuilds
	gen    uint64
	loaded time.Time
	sum    [32]byte // fingerprint of the current snapshot's content
}

// NewCatalogue returns a catalogue that Load must fill before use.
func NewCatalogue(store CatalogueStore, now func() time.Time) *Catalogue {
	return &Catalogue{store: store, now: now, MaxAge: 5 * time.Minute}
}

// Load rebuilds the snapshot from the store.
func (c *Catalogue) Load(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dirty.Store(false)
	plugins, err := c.store.ListPlugins(ctx)
	if err != nil {
		c.dirty.Store(true)
		return err
	}
	offers, err := c.store.ListOffers(ctx)
	if err != nil {
		c.dirty.Store(true)
		return err
	}
	tags, err := c.store.ListTags(ctx)
	if err != nil {
		c.dirty.Store(true)
		return err
	}
	c.loaded = c.now()
	// A new generation empties every rendered page: keep the current one
	// when nothing changed (the periodic reload usually finds nothing new).
	b, err := json.Marshal([]any{plugins, offers, tags})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if c.cur.Load() != nil && sum == c.sum {
		return nil
	}
	c.gen++
	c.sum = sum
	c.cur.Store(glpinet.NewCatalogue(c.gen, plugins, offers, tags))
	return nil
}

// Current returns the snapshot; nil before the first Load.
func (c *Catalogue) Current() *glpinet.Catalogue { return c.cur.Load() }

// Apply marks the snapshot stale on catalogue and offer changes.
func (c *Catalogue) Apply(ch glpinet.Change) {
	if ch.Topic == glpinet.TopicCatalogue || ch.Topic == glpinet.TopicOffers {
		c.dirty.Store(true)
	}
}

// Reset marks the snapshot stale.
func (c *Catalogue) Reset() { c.dirty.Store(true) }

// Settle rebuilds the snapshot if it is stale or old. The watcher calls it
// after each poll, so that a burst of changes costs one rebuild.
func (c *Catalogue) Settle(ctx context.Context) error {
	c.mu.Lock()
	old := c.now().Sub(c.loaded) >= c.MaxAge
	c.mu.Unlock()
	if c.dirty.Load() || old {
		return c.Load(ctx)
	}
	return nil
}
