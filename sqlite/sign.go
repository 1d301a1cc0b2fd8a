package sqlite

import (
	"context"

	"github.com/glpinet/glpinet"
)

// LockSignatures reads every version's signature (the single writer keeps
// them until the commit).
func (tx *Tx) LockSignatures(ctx context.Context) ([]*glpinet.Version, error) {
	rows, err := tx.QueryContext(ctx, `SELECT plugin_key, num, archive_sha256, archive_signature FROM plugin_versions ORDER BY plugin_key, num`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var versions []*glpinet.Version
	for rows.Next() {
		v := &glpinet.Version{}
		if err := rows.Scan(&v.PluginKey, &v.Num, &v.Archive.SHA256, &v.Archive.Signature); err != nil {
			return nil, err
		}
		versions = append(versions, v)
	}
	return versions, rows.Err()
}

// SetSignature replaces a version's signature.
func (tx *Tx) SetSignature(ctx context.Context, v *glpinet.Version, sig []byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE plugin_versions SET archive_signature = ? WHERE plugin_key = ? AND num = ?`, sig, v.PluginKey, v.Num)
	return err
}
