package main

import (
	"context"

	"github.com/glpinet/glpinet"
)

// storeCatalogue is the catalogue as the store holds it, for the checks of
// commands that do not run the server's caches.
func storeCatalogue(ctx context.Context, db Store) (*glpinet.Catalogue, error) {
	plugins, err := db.ListPlugins(ctx)
	if err != nil {
		return nil, err
	}
	return glpinet.NewCatalogue(0, plugins, nil, nil), nil
}
