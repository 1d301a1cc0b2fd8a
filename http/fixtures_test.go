package http

import (
	"context"

	"github.com/glpinet/glpinet"
)

// fixedValidator answers every key with the same verdict.
type fixedValidator struct{ v glpinet.Validation }

func (f fixedValidator) Validate(context.Context, string) (glpinet.Validation, error) {
	return f.v, nil
}

// fixedCatalogue is a catalogue that never changes.
type fixedCatalogue struct{ c *glpinet.Catalogue }

func (f fixedCatalogue) Current() *glpinet.Catalogue { return f.c }
