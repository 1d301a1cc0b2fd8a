package sqlite

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

// ListOffers returns every offer by increasing level.
func (db *DB) ListOffers(ctx context.Context) ([]*glpinet.Offer, error) {
	return collect(scanOffer)(db.read.QueryContext(ctx, `SELECT reference, level, titles, features FROM offers ORDER BY level, reference`))
}

func scanOffer(r scanner) (*glpinet.Offer, error) {
	var o glpinet.Offer
	var titles, features string
	if err := r.Scan(&o.Reference, &o.Level, &titles, &features); err != nil {
		return nil, err
	}
	return &o, storeflow.DecodeJSON([]string{titles, features}, &o.Titles, &o.Features)
}

// UpsertOffer creates or changes an offer.
func (tx *Tx) UpsertOffer(ctx context.Context, o *glpinet.Offer) error { return saveOffer(ctx, tx, o) }

func saveOffer(ctx context.Context, tx *Tx, o *glpinet.Offer) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO offers (reference, level, titles, features) VALUES (?, ?, ?, ?)
		ON CONFLICT (reference) DO UPDATE SET level = excluded.level, titles = excluded.titles, features = excluded.features`,
		o.Reference, o.Level, storeflow.JSONMap(o.Titles), storeflow.JSONList(o.Features))
	return err
}

// CountOffers returns how many offers exist.
func (tx *Tx) CountOffers(ctx context.Context) (n int, err error) {
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM offers`).Scan(&n)
	return n, err
}

// SeedOffer stores an offer; the single writer already made sure there
// was none.
func (tx *Tx) SeedOffer(ctx context.Context, o *glpinet.Offer) error { return saveOffer(ctx, tx, o) }
