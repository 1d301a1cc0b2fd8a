package sqlite

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

// ListOffers returns every offer by increasing level.
func (db *DB) ListOffers(ctx context.Context) ([]*glpinet.Offer, error) {
	return collect(scanOffer)(db.read.QueryContext(ctx, `SELECT `+offerColumns+` FROM offers ORDER BY level, reference`))
}

const offerColumns = `reference, level, titles, features, prices, descriptions`

func scanOffer(r scanner) (*glpinet.Offer, error) {
	var o glpinet.Offer
	var titles, features, prices, descriptions string
	if err := r.Scan(&o.Reference, &o.Level, &titles, &features, &prices, &descriptions); err != nil {
		return nil, err
	}
	err := storeflow.DecodeJSON([]string{titles, features, prices, descriptions}, &o.Titles, &o.Features, &o.Prices, &o.Descriptions)
	return storeflow.NoEmptyTexts(&o), err
}

// FindOffer reads the offer with this reference; nil when none.
func (tx *Tx) FindOffer(ctx context.Context, ref string) (*glpinet.Offer, error) {
	return orNone(scanOffer(tx.QueryRowContext(ctx, `SELECT `+offerColumns+` FROM offers WHERE reference = ?`, ref)))
}

// UpsertOffer creates or changes an offer.
func (tx *Tx) UpsertOffer(ctx context.Context, o *glpinet.Offer) error { return saveOffer(ctx, tx, o) }

func saveOffer(ctx context.Context, tx *Tx, o *glpinet.Offer) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO offers (`+offerColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (reference) DO UPDATE SET level = excluded.level, titles = excluded.titles, features = excluded.features,
			prices = excluded.prices, descriptions = excluded.descriptions`,
		o.Reference, o.Level, storeflow.JSONMap(o.Titles), storeflow.JSONList(o.Features), storeflow.JSONMap(o.Prices), storeflow.JSONMap(o.Descriptions))
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
