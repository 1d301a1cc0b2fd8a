package sqlite

import (
	"bytes"
	"context"
	"strconv"

	"github.com/glpinet/glpinet"
)

// SignVersions re-signs versions in one transaction.
func (db *DB) SignVersions(ctx context.Context, sign func(v *glpinet.Version) []byte) (int, error) {
	n := 0
	err := db.update(ctx, func(tx *Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT plugin_key, num, archive_sha256, archive_signature FROM plugin_versions ORDER BY plugin_key, num`)
		if err != nil {
			return err
		}
		var versions []*glpinet.Version
		for rows.Next() {
			v := &glpinet.Version{}
			if err := rows.Scan(&v.PluginKey, &v.Num, &v.Archive.SHA256, &v.Archive.Signature); err != nil {
				rows.Close()
				return err
			}
			versions = append(versions, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		changed := map[string]bool{}
		for _, v := range versions {
			sig := sign(v)
			if bytes.Equal(sig, v.Archive.Signature) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE plugin_versions SET archive_signature = ? WHERE plugin_key = ? AND num = ?`, sig, v.PluginKey, v.Num); err != nil {
				return err
			}
			changed[v.PluginKey] = true
			n++
		}
		for key := range changed {
			if err := tx.change(ctx, glpinet.TopicCatalogue, key); err != nil {
				return err
			}
		}
		if n == 0 {
			return nil
		}
		return tx.audit(ctx, "plugin.resign", "catalogue", strconv.Itoa(n)+" versions")
	})
	return n, err
}
