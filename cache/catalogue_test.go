package cache

import (
	"context"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

type fakeCatalogueStore struct{ plugins []*glpinet.Plugin }

func (f *fakeCatalogueStore) ListPlugins(context.Context) ([]*glpinet.Plugin, error) {
	return f.plugins, nil
}
func (f *fakeCatalogueStore) ListOffers(context.Context) ([]*glpinet.Offer, error) {
	return glpinet.DefaultOffers(), nil
}
func (f *fakeCatalogueStore) ListTags(context.Context) ([]*glpinet.TagCount, error) { return nil, nil }

// TestCatalogueGenerations: a reload that finds nothing new keeps the
// generation (rendered pages stay valid); a change makes a new one.
func TestCatalogueGenerations(t *testing.T) {
	store := &fakeCatalogueStore{plugins: []*glpinet.Plugin{{Key: "a", Name: "A"}}}
	clock := &testClock{t: time.Now()}
	c := NewCatalogue(store, clock.Now)
	if err := c.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	gen := c.Current().Generation
	clock.t = clock.t.Add(c.MaxAge)
	if err := c.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := c.Current().Generation; got != gen {
		t.Fatalf("generation %d after an unchanged reload, want %d", got, gen)
	}
	store.plugins = append(store.plugins, &glpinet.Plugin{Key: "b", Name: "B"})
	c.Apply(glpinet.Change{Topic: glpinet.TopicCatalogue, Subject: "b"})
	if err := c.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := c.Current(); got.Generation == gen || got.Plugin("b") == nil {
		t.Fatalf("after a change: generation %d, plugin b %v", got.Generation, got.Plugin("b"))
	}
	// A key change is not a catalogue change.
	gen = c.Current().Generation
	c.Apply(glpinet.Change{Topic: glpinet.TopicKey, Subject: "00"})
	c.Settle(t.Context())
	if c.Current().Generation != gen {
		t.Fatal("a key change rebuilt the catalogue")
	}
}
