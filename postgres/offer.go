package postgres

import (
	"context"
	"encoding/json"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/storeflow"
)

// ListOffers returns every offer by increasing level.
func (db *DB) ListOffers(ctx context.Context) ([]*glpinet.Offer, error) {
	rows, err := db.pool.Query(ctx, `SELECT reference, level, titles, features FROM offers ORDER BY level, reference`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*glpinet.Offer
	for rows.Next() {
		var o glpinet.Offer
		var titles, features []byte
		if err := rows.Scan(&o.Reference, &o.Level, &titles, &features); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(titles, &o.Titles); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(features, &o.Features); err != nil {
			return nil, err
		}
		out = append(out, &o)
	}
	return out, mapError(rows.Err())
}

// UpsertOffer creates or changes an offer.
func (tx *Tx) UpsertOffer(ctx context.Context, o *glpinet.Offer) error {
	return saveOffer(ctx, tx, o, `DO UPDATE SET level = excluded.level, titles = excluded.titles, features = excluded.features`)
}

// saveOffer inserts o, doing onConflict when its reference exists.
func saveOffer(ctx context.Context, tx *Tx, o *glpinet.Offer, onConflict string) error {
	// A string argument is taken by pgx as JSON text for a jsonb column.
	_, err := tx.Exec(ctx, `INSERT INTO offers (reference, level, titles, features) VALUES ($1, $2, $3, $4)
		ON CONFLICT (reference) `+onConflict, o.Reference, o.Level, storeflow.JSONMap(o.Titles), storeflow.JSONList(o.Features))
	return err
}

// seedOffers gives a new database the default offers. Replicas opening a
// new database together may all find it empty: DO NOTHING lets the first
// one's offers stand instead of failing the others.
func (db *DB) seedOffers(ctx context.Context) error {
	return db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM offers`).Scan(&n); err != nil || n > 0 {
			return err
		}
		for _, o := range glpinet.DefaultOffers() {
			if err := saveOffer(ctx, tx, o, `DO NOTHING`); err != nil {
				return err
			}
		}
		return nil
	})
}
