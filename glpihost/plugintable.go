package glpihost

import (
	"context"
	"errors"
	"strconv"

	"github.com/go-sql-driver/mysql"
)

// PluginState is a plugin's state in GLPI's glpi_plugins table (the
// constants of GLPI's Plugin class).
type PluginState int

// GLPI's plugin states (src/Plugin.php).
const (
	PluginUnknown        PluginState = -1
	PluginNew            PluginState = 0 // ANEW: discovered
	PluginActivated      PluginState = 1 // ACTIVATED: installed and enabled
	PluginNotInstalled   PluginState = 2 // NOTINSTALLED
	PluginToBeConfigured PluginState = 3 // TOBECONFIGURED: installed, needs configuring before enabling
	PluginNotActivated   PluginState = 4 // NOTACTIVATED: installed, disabled
	PluginToBeCleaned    PluginState = 5 // TOBECLEANED: the directory is gone
	PluginNotUpdated     PluginState = 6 // NOTUPDATED: the files are newer than the installed version
)

// String is the state as GLPI's Setup > Plugins page words it.
func (s PluginState) String() string {
	switch s {
	case PluginNew:
		return "new"
	case PluginActivated:
		return "enabled"
	case PluginNotInstalled:
		return "not installed"
	case PluginToBeConfigured:
		return "to be configured"
	case PluginNotActivated:
		return "disabled"
	case PluginToBeCleaned:
		return "to be cleaned"
	case PluginNotUpdated:
		return "to be updated"
	}
	return "unknown (" + strconv.Itoa(int(s)) + ")"
}

// PluginRecord is a row of glpi_plugins.
type PluginRecord struct {
	State   PluginState
	Version string // the version GLPI installed (may differ from the files)
}

// erNoSuchTable is MySQL's and MariaDB's "Table doesn't exist".
const erNoSuchTable = 1146

// Plugins returns GLPI's glpi_plugins rows by directory. A database
// without that table (GLPI not installed yet, or a bare test database)
// yields nil and no error: the states are a detail of the listing, never
// a reason for it to fail.
func (c *ConfigDB) Plugins(ctx context.Context) (map[string]PluginRecord, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT directory, state, version FROM glpi_plugins")
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == erNoSuchTable {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]PluginRecord{}
	for rows.Next() {
		var dir string
		var r PluginRecord
		var version *string
		if err := rows.Scan(&dir, &r.State, &version); err != nil {
			return nil, err
		}
		if version != nil {
			r.Version = *version
		}
		out[dir] = r
	}
	return out, rows.Err()
}
