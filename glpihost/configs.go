package glpihost

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/go-sql-driver/mysql" // GLPI's database is MySQL or MariaDB
)

// Bounds on GLPI's database: connecting, and any one read or write
// (variables so that tests can shorten them).
var (
	dbDialTimeout = 10 * time.Second
	dbIOTimeout   = 60 * time.Second
)

// Rows of glpi_configs (context "core") that glpinet reads or writes.
const (
	ConfigRegistrationKey = "glpinetwork_registration_key" // encrypted
	ConfigNetworkUID      = "glpi_network_uuid"            // X-Glpi-Network-Uid, in clear
	ConfigProxyName       = "proxy_name"
	ConfigProxyPort       = "proxy_port"
	ConfigProxyUser       = "proxy_user"
	ConfigProxyPassword   = "proxy_passwd" // encrypted
	ConfigVersion         = "version"
)

// EncryptedConfigs are the core rows GLPI keeps encrypted with
// glpicrypt.key (GLPIKey::$configs).
var EncryptedConfigs = []string{ConfigRegistrationKey, ConfigProxyPassword, "smtp_passwd", "smtp_oauth_client_secret", "smtp_oauth_refresh_token"}

// ConfigDB is GLPI's glpi_configs table.
type ConfigDB struct {
	db *sql.DB
}

// OpenConfigDB connects to GLPI's database with its config_db.php settings.
func OpenConfigDB(ctx context.Context, c DBConfig) (*ConfigDB, error) {
	cfg, err := mysql.ParseDSN(c.DSN())
	if err != nil {
		return nil, err
	}
	// A database that accepts connections and then never answers must not
	// hold the command forever when nobody is there to press Ctrl-C (a
	// cron job, a package script): bound the connection and every read
	// and write on it. Generous: a rotation's transaction writes a handful
	// of rows.
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = dbDialTimeout, dbIOTimeout, dbIOTimeout
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, glpinet.Errorf(glpinet.EUNAVAILABLE, "Cannot connect to GLPI's database %s: %v", c.Database, err)
	}
	return &ConfigDB{db: db}, nil
}

// NewConfigDB wraps an open database (tests).
func NewConfigDB(db *sql.DB) *ConfigDB { return &ConfigDB{db: db} }

// Close closes the connection.
func (c *ConfigDB) Close() error { return c.db.Close() }

// Get returns a core configuration value, "" with ok false when the row
// does not exist.
func (c *ConfigDB) Get(ctx context.Context, name string) (value string, ok bool, err error) {
	err = c.db.QueryRowContext(ctx, "SELECT value FROM glpi_configs WHERE context = 'core' AND name = ?", name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	return value, true, nil
}

// Set writes a core configuration value in one transaction, creating the
// row when it is missing (GLPI's unique key is (context, name)).
func (c *ConfigDB) Set(ctx context.Context, name, value string) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO glpi_configs (context, name, value) VALUES ('core', ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)", name, value); err != nil {
		return fmt.Errorf("write glpi_configs %s: %w", name, err)
	}
	return tx.Commit()
}
