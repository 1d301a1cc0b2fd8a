// Package migration holds what both stores do around goose: applying the
// embedded migrations, and refusing a database a newer glpinetd upgraded.
package migration

import (
	"context"
	"fmt"

	"github.com/glpinet/glpinet"
	"github.com/pressly/goose/v3"
)

// Up applies the pending migrations, after checking that the database has
// none this build does not know. goose itself would ignore them and carry
// on: an older glpinetd would then run on a schema it was not written for
// (after a downgrade, or an old replica restarted during a rolling
// upgrade), where it could misread or lose data.
//
// The check runs again afterwards: goose holds its lock only while it
// migrates, so a newer glpinetd may have migrated between the first check
// and Up (Up then had nothing to do, and the second check sees it).
func Up(ctx context.Context, p *goose.Provider) ([]*goose.MigrationResult, error) {
	if err := CheckNotNewer(ctx, p); err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, err
	}
	return res, CheckNotNewer(ctx, p)
}

// CheckNotNewer returns EINVALID when the database's schema version is
// above the newest migration p knows.
func CheckNotNewer(ctx context.Context, p *goose.Provider) error {
	sources := p.ListSources()
	if len(sources) == 0 {
		return nil
	}
	known := sources[len(sources)-1].Version
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if current > known {
		return glpinet.Errorf(glpinet.EINVALID, "The database's schema is at migration %d, newer than this glpinetd knows (%d): run the glpinetd version that upgraded it, or restore the backup taken before the upgrade.", current, known)
	}
	return nil
}
