package postgres

import (
	"context"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

// LockSignatures reads every version's signature, the versions locked so
// that a publication running meanwhile waits rather than keeps a
// signature made with the replaced key.
func (tx *Tx) LockSignatures(ctx context.Context) ([]*glpinet.Version, error) {
	rows, err := tx.Query(ctx, `SELECT plugin_key, num, archive_sha256, archive_signature FROM plugin_versions ORDER BY plugin_key, num FOR UPDATE`)
	if err != nil {
		return nil, err
	}
	var versions []*glpinet.Version
	v := &glpinet.Version{}
	_, err = pgx.ForEachRow(rows, []any{&v.PluginKey, &v.Num, &v.Archive.SHA256, &v.Archive.Signature}, func() error {
		copied := *v
		versions = append(versions, &copied)
		return nil
	})
	return versions, err
}

// SetSignature replaces a version's signature.
func (tx *Tx) SetSignature(ctx context.Context, v *glpinet.Version, sig []byte) error {
	_, err := tx.Exec(ctx, `UPDATE plugin_versions SET archive_signature = $1 WHERE plugin_key = $2 AND num = $3`, sig, v.PluginKey, v.Num)
	return err
}
