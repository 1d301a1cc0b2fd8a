package sqlite

import (
	"context"

	"github.com/glpinet/glpinet"
)

// RecordSightings upserts the instances seen.
func (db *DB) RecordSightings(ctx context.Context, sightings []glpinet.Sighting) error {
	if len(sightings) == 0 {
		return nil
	}
	return db.update(ctx, func(tx *Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO instances (key_id, uid, account_id, glpi_version, install_mode, first_seen, last_seen)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key_id, uid) DO UPDATE SET
				glpi_version = CASE WHEN excluded.last_seen >= last_seen THEN excluded.glpi_version ELSE glpi_version END,
				install_mode = CASE WHEN excluded.last_seen >= last_seen THEN excluded.install_mode ELSE install_mode END,
				last_seen = MAX(last_seen, excluded.last_seen), first_seen = MIN(first_seen, excluded.first_seen)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, s := range sightings {
			at := fmtTime(s.At)
			if _, err := stmt.ExecContext(ctx, s.KeyID, s.UID, s.AccountID, s.GLPIVersion, s.InstallMode, at, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListInstances returns a page of an account's instances, most recently
// seen first.
func (db *DB) ListInstances(ctx context.Context, accountID int64, p glpinet.Page) ([]*glpinet.Instance, string, error) {
	after, err := p.AfterInstance()
	if err != nil {
		return nil, "", err
	}
	cond, args := "", []any{accountID}
	if after != nil {
		// Stored times are fixed-width strings: they compare as the instants.
		cond, args = " AND (last_seen, key_id, uid) < (?, ?, ?)", append(args, fmtTime(after.LastSeen), after.KeyID, after.UID)
	}
	ins, err := db.listInstances(ctx, `SELECT key_id, account_id, uid, glpi_version, install_mode, first_seen, last_seen
		FROM instances WHERE account_id = ?`+cond+` ORDER BY last_seen DESC, key_id DESC, uid DESC LIMIT ?`, append(args, p.Size()+1)...)
	if err != nil {
		return nil, "", err
	}
	ins, next := glpinet.Cut(p, ins, glpinet.InstanceCursor)
	return ins, next, nil
}

func (db *DB) listInstances(ctx context.Context, query string, args ...any) ([]*glpinet.Instance, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*glpinet.Instance
	for rows.Next() {
		var in glpinet.Instance
		var first, last string
		if err := rows.Scan(&in.KeyID, &in.AccountID, &in.UID, &in.GLPIVersion, &in.InstallMode, &first, &last); err != nil {
			return nil, err
		}
		in.FirstSeen, in.LastSeen = parseTime(first), parseTime(last)
		out = append(out, &in)
	}
	return out, rows.Err()
}
