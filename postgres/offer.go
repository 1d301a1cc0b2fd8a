package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
	"github.com/jackc/pgx/v5"
)

// ListOffers returns every offer by increasing level.
func (db *DB) ListOffers(ctx context.Context) ([]*glpinet.Offer, error) {
	return collect(scanOffer)(db.pool.Query(ctx, `SELECT `+offerColumns+` FROM offers ORDER BY level, reference`))
}

const offerColumns = `reference, level, titles, features, prices, descriptions`

// scanOffer reads an offer; its jsonb columns come as text.
func scanOffer(r pgx.Row) (*glpinet.Offer, error) {
	o := &glpinet.Offer{}
	var titles, features, prices, descriptions string
	if err := r.Scan(&o.Reference, &o.Level, &titles, &features, &prices, &descriptions); err != nil {
		return nil, err
	}
	err := storeflow.DecodeJSON([]string{titles, features, prices, descriptions}, &o.Titles, &o.Features, &o.Prices, &o.Descriptions)
	return storeflow.NoEmptyTexts(o), err
}

// FindOffer reads the offer with this reference; nil when none.
func (tx *Tx) FindOffer(ctx context.Context, ref string) (*glpinet.Offer, error) {
	return orNone(scanOffer(tx.QueryRow(ctx, `SELECT `+offerColumns+` FROM offers WHERE reference = $1`, ref)))
}

// UpsertOffer creates or changes an offer.
func (tx *Tx) UpsertOffer(ctx context.Context, o *glpinet.Offer) error {
	return saveOffer(ctx, tx, o, `DO UPDATE SET level = excluded.level, titles = excluded.titles, features = excluded.features,
		prices = excluded.prices, descriptions = excluded.descriptions`)
}

// saveOffer inserts o, doing onConflict when its reference exists.
func saveOffer(ctx context.Context, tx *Tx, o *glpinet.Offer, onConflict string) error {
	// A string argument is taken by pgx as JSON text for a jsonb column.
	_, err := tx.Exec(ctx, `INSERT INTO offers (`+offerColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (reference) `+onConflict, o.Reference, o.Level, storeflow.JSONMap(o.Titles), storeflow.JSONList(o.Features),
		storeflow.JSONMap(o.Prices), storeflow.JSONMap(o.Descriptions))
	return err
}

// CountOffers returns how many offers exist.
func (tx *Tx) CountOffers(ctx context.Context) (n int, err error) {
	err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM offers`).Scan(&n)
	return n, err
}

// SeedOffer stores an offer unless its reference exists: replicas opening
// a new database together may all find it empty, and DO NOTHING lets the
// first one's offers stand instead of failing the others.
func (tx *Tx) SeedOffer(ctx context.Context, o *glpinet.Offer) error {
	return saveOffer(ctx, tx, o, `DO NOTHING`)
}
