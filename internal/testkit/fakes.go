package testkit

import (
	"context"

	"github.com/glpinet/glpinet"
)

// FixedValidator answers every key with the same verdict: the tests of
// the HTTP surfaces then measure and check the handlers, not a store.
type FixedValidator struct{ Verdict glpinet.Validation }

// Validate returns the fixed verdict.
func (f FixedValidator) Validate(context.Context, string) (glpinet.Validation, error) {
	return f.Verdict, nil
}

// FixedCatalogue is a catalogue source that never changes.
type FixedCatalogue struct{ Catalogue *glpinet.Catalogue }

// Current returns the fixed catalogue.
func (f FixedCatalogue) Current() *glpinet.Catalogue { return f.Catalogue }

// NopSightings forgets every sighting.
type NopSightings struct{}

// Add does nothing.
func (NopSightings) Add(glpinet.Sighting) {}
