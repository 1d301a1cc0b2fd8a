package glpihost

import (
	"context"
	"database/sql"
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

// ReEncrypt decrypts every encrypted value of s with old and encrypts it
// with next, in one transaction with the rows locked: all values change or
// none does. It refuses (EINVALID) when a value does not decrypt with old,
// since re-encrypting would lose it. GLPI's own security:change_key writes
// the new key file first and then updates row by row without a
// transaction, so an error half-way leaves values no key can read.
func (c *ConfigDB) ReEncrypt(ctx context.Context, old, next glpicrypt.Key, s Secrets) (int, error) {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	vals, err := c.encryptedValues(ctx, tx, s, true)
	if err != nil {
		return 0, err
	}
	for _, v := range vals {
		plain, err := old.Decrypt(v.value)
		if err != nil {
			return 0, glpinet.Errorf(glpinet.EINVALID, "%s does not decrypt with the current key, so re-encrypting would lose it; nothing was changed: restore the key that made it, or enter it again in GLPI", v.where)
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
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(vals), nil
}
