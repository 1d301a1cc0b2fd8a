package sqlite

import (
	"context"
	"database/sql"

	"github.com/glpinet/glpinet"
)

const userColumns = `id, account_id, email, name, role, lang, password_hash, created_at`

func scanUser(r scanner) (*glpinet.User, error) {
	var u glpinet.User
	var account sql.NullInt64
	var created string
	if err := r.Scan(&u.ID, &account, &u.Email, &u.Name, &u.Role, &u.Lang, &u.PasswordHash, &created); err != nil {
		return nil, err
	}
	u.AccountID, u.CreatedAt = account.Int64, parseTime(created)
	return &u, nil
}

// insertUser stores u in tx.
func insertUser(ctx context.Context, tx *Tx, u *glpinet.User) error {
	var account any
	if u.AccountID != 0 {
		account = u.AccountID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO users (account_id, email, name, role, lang, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		account, u.Email, u.Name, u.Role, u.Lang, u.PasswordHash, fmtTime(tx.now))
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "A user with the e-mail %s already exists.", u.Email)
	} else if err != nil {
		return err
	}
	u.CreatedAt = tx.now
	u.ID, err = res.LastInsertId()
	return err
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*glpinet.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", id)
	}
	return u, err
}

// FindUserByEmail returns the user with this e-mail.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*glpinet.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, glpinet.NormalizeEmail(email)))
	if err == sql.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "No user has the e-mail %s.", email)
	}
	return u, err
}

// ListUsers returns an account's users.
func (db *DB) ListUsers(ctx context.Context, accountID int64) ([]*glpinet.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*glpinet.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword replaces a password hash and ends the user's sessions.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	if hash == "" {
		return glpinet.Errorf(glpinet.EINVALID, "A user needs a password.")
	}
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", userID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return tx.audit(ctx, "user.password", glpinet.UserSubject(userID), "")
	})
}
