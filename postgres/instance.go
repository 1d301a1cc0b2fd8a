package postgres

import (
	"cmp"
	"context"
	"slices"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

// RecordSightings upserts the instances seen, all in one round trip.
func (db *DB) RecordSightings(ctx context.Context, sightings []glpinet.Sighting) error {
	if len(sightings) == 0 {
		return nil
	}
	// Upserted in key order: replicas flushing overlapping batches then
	// lock the rows in the same order and cannot deadlock.
	sorted := slices.SortedFunc(slices.Values(sightings), func(a, b glpinet.Sighting) int {
		return cmp.Or(cmp.Compare(a.KeyID, b.KeyID), cmp.Compare(a.UID, b.UID))
	})
	return db.update(ctx, func(tx *Tx) error {
		b := &pgx.Batch{}
		for _, s := range sorted {
			b.Queue(`INSERT INTO instances (key_id, uid, account_id, glpi_version, install_mode, first_seen, last_seen)
				VALUES ($1, $2, $3, $4, $5, $6, $6)
				ON CONFLICT (key_id, uid) DO UPDATE SET
					glpi_version = CASE WHEN excluded.last_seen >= instances.last_seen THEN excluded.glpi_version ELSE instances.glpi_version END,
					install_mode = CASE WHEN excluded.last_seen >= instances.last_seen THEN excluded.install_mode ELSE instances.install_mode END,
					last_seen = GREATEST(instances.last_seen, excluded.last_seen),
					first_seen = LEAST(instances.first_seen, excluded.first_seen)`,
				s.KeyID, s.UID, s.AccountID, s.GLPIVersion, s.InstallMode, s.At)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// ListInstances returns a page of an account's instances, most recently
// seen first.
func (db *DB) ListInstances(ctx context.Context, accountID int64, p glpinet.Page) ([]*glpinet.Instance, string, error) {
	after, err := p.AfterInstance()
	if err != nil {
		return nil, "", err
	}
	cond, args := "", []any{accountID, p.Size() + 1}
	if after != nil {
		cond, args = " AND (last_seen, key_id, uid) < ($3, $4, $5)", append(args, after.LastSeen, after.KeyID, after.UID)
	}
	ins, err := db.listInstances(ctx, `SELECT key_id, account_id, uid, glpi_version, install_mode, first_seen, last_seen
		FROM instances WHERE account_id = $1`+cond+` ORDER BY last_seen DESC, key_id DESC, uid DESC LIMIT $2`, args...)
	if err != nil {
		return nil, "", err
	}
	ins, next := glpinet.Cut(p, ins, glpinet.InstanceCursor)
	return ins, next, nil
}

func (db *DB) listInstances(ctx context.Context, query string, args ...any) ([]*glpinet.Instance, error) {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*glpinet.Instance
	for rows.Next() {
		var in glpinet.Instance
		if err := rows.Scan(&in.KeyID, &in.AccountID, &in.UID, &in.GLPIVersion, &in.InstallMode, &in.FirstSeen, &in.LastSeen); err != nil {
			return nil, err
		}
		out = append(out, &in)
	}
	return out, mapError(rows.Err())
}
