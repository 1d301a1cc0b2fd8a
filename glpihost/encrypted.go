package glpihost

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
)

// Undecryptable is a stored value that does not decrypt with a key: GLPI
// silently treats it as empty.
type Undecryptable struct {
	Table  string `json:"table"`
	Column string `json:"column"`
	ID     int64  `json:"id"`
	// Context and Name identify a glpi_configs row.
	Context string `json:"context,omitempty"`
	Name    string `json:"name,omitempty"`
}

func (u Undecryptable) String() string {
	if u.Table == "glpi_configs" {
		return fmt.Sprintf("glpi_configs %s/%s", u.Context, u.Name)
	}
	return fmt.Sprintf("%s.%s (id %d)", u.Table, u.Column, u.ID)
}

// storedValue is one encrypted value as read from the database.
type storedValue struct {
	where Undecryptable
	value string
}

// queryer is what reading needs: the database or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// encryptedValues reads every non-empty value of s. Columns whose table or
// column does not exist in this database (a GLPI version or plugin that
// does not have them) are left out. With lock, rows are locked for update.
func (c *ConfigDB) encryptedValues(ctx context.Context, q queryer, s Secrets, lock bool) ([]storedValue, error) {
	suffix := ""
	if lock {
		suffix = " FOR UPDATE"
	}
	var out []storedValue
	for _, cn := range s.Configs {
		rows, err := q.QueryContext(ctx, "SELECT id, value FROM glpi_configs WHERE context = ? AND name = ? AND value IS NOT NULL AND value <> ''"+suffix, cn.Context, cn.Name)
		if err != nil {
			return nil, fmt.Errorf("read glpi_configs %s: %w", cn, err)
		}
		vals, err := scanValues(rows, Undecryptable{Table: "glpi_configs", Column: "value", Context: cn.Context, Name: cn.Name})
		if err != nil {
			return nil, err
		}
		out = append(out, vals...)
	}
	for _, col := range s.Columns {
		exists, err := c.columnExists(ctx, q, col)
		if err != nil {
			return nil, err
		}
		if !exists {
			continue
		}
		table, column, err := col.quoted()
		if err != nil {
			return nil, err
		}
		rows, err := q.QueryContext(ctx, "SELECT id, "+column+" FROM "+table+" WHERE "+column+" IS NOT NULL AND "+column+" <> ''"+suffix)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", col, err)
		}
		vals, err := scanValues(rows, Undecryptable{Table: col.Table, Column: col.Column})
		if err != nil {
			return nil, err
		}
		out = append(out, vals...)
	}
	return out, nil
}

func scanValues(rows *sql.Rows, where Undecryptable) ([]storedValue, error) {
	defer rows.Close()
	var out []storedValue
	for rows.Next() {
		v := storedValue{where: where}
		if err := rows.Scan(&v.where.ID, &v.value); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (c *ConfigDB) columnExists(ctx context.Context, q queryer, col Column) (bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?", col.Table, col.Column)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}

// CheckEncrypted decrypts every non-empty encrypted value of s with key
// and returns those that fail, and how many values were checked.
func (c *ConfigDB) CheckEncrypted(ctx context.Context, key glpicrypt.Key, s Secrets) (bad []Undecryptable, checked int, err error) {
	vals, err := c.encryptedValues(ctx, c.db, s, false)
	if err != nil {
		return nil, 0, err
	}
	return undecryptable(vals, key), len(vals), nil
}

// undecryptable returns the values of vals that key does not decrypt.
func undecryptable(vals []storedValue, key glpicrypt.Key) []Undecryptable {
	var bad []Undecryptable
	for _, v := range vals {
		if _, err := key.Decrypt(v.value); err != nil {
			bad = append(bad, v.where)
		}
	}
	return bad
}

// ReEncrypt moves every encrypted value of s to the key next, in one
// transaction with the rows locked: all values change or none does. A
// value that decrypts with next is kept as it is (an interrupted rotation
// may have left some), one that decrypts with old is re-encrypted with
// next. It refuses (EINVALID) when a value decrypts with neither, since
// re-encrypting would lose it. It returns how many values are now
// encrypted with next. GLPI's own security:change_key writes the new key
// file first and then updates row by row without a transaction, so an
// error half-way leaves values no key can read.
func (c *ConfigDB) ReEncrypt(ctx context.Context, old, next glpicrypt.Key, s Secrets) (int, error) {
	n, err := c.reEncrypt(ctx, old, next, s, true)
	var ue *undecryptableError
	if errors.As(err, &ue) {
		return 0, ue.refusal()
	}
	return n, err
}

// undecryptableError is a value that decrypts with neither key of a
// re-encryption.
type undecryptableError struct{ where Undecryptable }

func (e *undecryptableError) Error() string { return e.where.String() + " does not decrypt" }

// refusal is the refusal of a rotation that would lose the value.
func (e *undecryptableError) refusal() error {
	return glpinet.Errorf(glpinet.EINVALID, "%s does not decrypt with the current key, so re-encrypting would lose it; nothing was changed: restore the key that made it, or enter it again in GLPI", e.where)
}

// commitError is a failed COMMIT: whether the server applied the
// transaction is unknown (the connection may have dropped after it did),
// so a key the values may now need must be kept.
type commitError struct{ err error }

func (e *commitError) Error() string { return "commit the re-encryption: " + e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

// reEncrypt is ReEncrypt; when strict is false, values that decrypt with
// neither key are left alone instead of refused (the sweep after a
// rotation, which must not fail a finished one).
func (c *ConfigDB) reEncrypt(ctx context.Context, old, next glpicrypt.Key, s Secrets, strict bool) (int, error) {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	vals, err := c.encryptedValues(ctx, tx, s, true)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range vals {
		if _, err := next.Decrypt(v.value); err == nil {
			n++
			continue
		}
		plain, err := old.Decrypt(v.value)
		if err != nil {
			if strict {
				return 0, &undecryptableError{v.where}
			}
			continue
		}
		enc, err := next.Encrypt(plain)
		if err != nil {
			return 0, err
		}
		w := v.where
		if w.Table == "glpi_configs" {
			_, err = tx.ExecContext(ctx, "UPDATE glpi_configs SET value = ? WHERE id = ?", enc, w.ID)
		} else {
			table, column, qerr := Column{w.Table, w.Column}.quoted()
			if qerr != nil {
				return 0, qerr
			}
			_, err = tx.ExecContext(ctx, "UPDATE "+table+" SET "+column+" = ? WHERE id = ?", enc, w.ID)
		}
		if err != nil {
			return 0, fmt.Errorf("update %s: %w", w, err)
		}
		n++
	}
	if err := pauseAt(ctx, "rotate-updated"); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, &commitError{err}
	}
	return n, nil
}

// SetEncrypted encrypts plaintext with glpicrypt.key and stores it as the
// core configuration value name, as GLPI does. It refuses with a
// *PendingRotationError while a rotation of the key runs or was
// interrupted, and with a *glpicrypt.KeyError when the key file cannot be
// used; nothing is written then.
//
// The shared lock on the configuration directory keeps a rotation by
// glpinet from starting until the value is committed; the row lock and
// the second look at the key files after the write cover a rotation that
// another tool made meanwhile: a value is never committed under a key
// that is no longer glpicrypt.key.
func (c *ConfigDB) SetEncrypted(ctx context.Context, in *Install, name, plaintext string) error {
	return c.setEncrypted(ctx, in, name, plaintext, nil)
}

// setEncrypted is SetEncrypted; also, when set, writes more in the same
// transaction, before the commit.
func (c *ConfigDB) setEncrypted(ctx context.Context, in *Install, name, plaintext string, also func(*sql.Tx) error) error {
	unlock, err := in.lockCryptKeys(false)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Locks the row, or the gap where it would go, as ReEncrypt does.
	rows, err := tx.QueryContext(ctx, "SELECT id FROM glpi_configs WHERE context = 'core' AND name = ? FOR UPDATE", name)
	if err != nil {
		return fmt.Errorf("read glpi_configs %s: %w", name, err)
	}
	rows.Close()
	key, err := writeKey(in)
	if err != nil {
		return err
	}
	enc, err := key.Encrypt(plaintext)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO glpi_configs (context, name, value) VALUES ('core', ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)", name, enc); err != nil {
		return fmt.Errorf("write glpi_configs %s: %w", name, err)
	}
	if also != nil {
		if err := also(tx); err != nil {
			return err
		}
	}
	if again, err := writeKey(in); err != nil {
		return err
	} else if again != key {
		return &PendingRotationError{Path: in.PendingKeyPath(), Running: true}
	}
	return tx.Commit()
}

// writeKey returns the key to encrypt with, refusing while a rotation is
// pending.
func writeKey(in *Install) (glpicrypt.Key, error) {
	if err := in.CheckNoPendingRotation(); err != nil {
		return glpicrypt.Key{}, err
	}
	return glpicrypt.LoadKey(in.CryptKeyPath())
}
