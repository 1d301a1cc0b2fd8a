package sqlite

import (
	"context"
	"encoding/json"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

// ListOffers returns every offer by increasing level.
func (db *DB) ListOffers(ctx context.Context) ([]*glpinet.Offer, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT reference, level, titles, features FROM offers ORDER BY level, reference`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*glpinet.Offer
	for rows.Next() {
		var o glpinet.Offer
		var titles, features string
		if err := rows.Scan(&o.Reference, &o.Level, &titles, &features); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(titles), &o.Titles); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(features), &o.Features); err != nil {
			return nil, err
		}
		out = append(out, &o)
	}
	return out, rows.Err()
}

// UpsertOffer creates or changes an offer.
func (tx *Tx) UpsertOffer(ctx context.Context, o *glpinet.Offer) error { return saveOffer(ctx, tx, o) }

func saveOffer(ctx context.Context, tx *Tx, o *glpinet.Offer) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO offers (reference, level, titles, features) VALUES (?, ?, ?, ?)
		ON CONFLICT (reference) DO UPDATE SET level = excluded.level, titles = excluded.titles, features = excluded.features`,
		o.Reference, o.Level, storeflow.JSONMap(o.Titles), storeflow.JSONList(o.Features))
	return err
}

// seedOffers gives a new database the default offers.
func (db *DB) seedOffers(ctx context.Context) error {
	return db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM offers`).Scan(&n); err != nil || n > 0 {
			return err
		}
		for _, o := range glpinet.DefaultOffers() {
			if err := saveOffer(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
	})
}
