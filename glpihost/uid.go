package glpihost

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
)

// NetworkUIDLength is the length of the glpi_network_uuid GLPI makes
// (Config::generateUuid: Toolbox::getRandomString(40)).
const NetworkUIDLength = 40

// uidAlphabet is the keyspace of GLPI's Toolbox::getRandomString.
const uidAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// NewNetworkUID returns a new X-Glpi-Network-Uid as GLPI makes one:
// NetworkUIDLength characters of [0-9a-zA-Z], each drawn uniformly from a
// cryptographic source (GLPI uses random_int).
func NewNetworkUID() (string, error) {
	b := make([]byte, NetworkUIDLength)
	max := big.NewInt(int64(len(uidAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = uidAlphabet[n.Int64()]
	}
	return string(b), nil
}

// SetRegistrationKey stores key as GLPI's registration key, encrypted as
// SetEncrypted does (and refused in the same cases), and in the same
// transaction gives the instance its glpi_network_uuid when it has none:
// newUID, which the caller made with NewNetworkUID and may have sent to
// the services already. GLPI would make one at its first call to the
// services (Config::getUuid('glpi_network')), but the key and the uid
// the services saw with it belong together, so that the instance shows in
// the portal under the uid it keeps. An existing uid is kept. It returns
// the uid stored and whether it was created now.
//
// GLPI's getUuid takes an empty value ("" or "0", PHP's empty()) for a
// missing one; so does this.
func (c *ConfigDB) SetRegistrationKey(ctx context.Context, in *Install, key, newUID string) (uid string, created bool, err error) {
	if len(newUID) != NetworkUIDLength {
		return "", false, fmt.Errorf("a network uid is %d characters long, not %d", NetworkUIDLength, len(newUID))
	}
	err = c.setEncrypted(ctx, in, ConfigRegistrationKey, key, func(tx *sql.Tx) error {
		// The row, or the gap where it goes, stays locked until the
		// commit: two writers never both create a uid.
		var v sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT value FROM glpi_configs WHERE context = 'core' AND name = ? FOR UPDATE", ConfigNetworkUID).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read glpi_configs %s: %w", ConfigNetworkUID, err)
		}
		if v.String != "" && v.String != "0" {
			uid = v.String
			return nil
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO glpi_configs (context, name, value) VALUES ('core', ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)", ConfigNetworkUID, newUID); err != nil {
			return fmt.Errorf("write glpi_configs %s: %w", ConfigNetworkUID, err)
		}
		uid, created = newUID, true
		return nil
	})
	if err != nil {
		return "", false, err
	}
	return uid, created, nil
}
