package sqlite

import (
	"context"
	"database/sql"

	"github.com/glpinet/glpinet"
)

const userColumns = `id, account_id, email, name, role, lang, password_hash, created_at, disabled_at, email_verified_at`

// userRow receives userColumns, alone or after another table's columns
// (FindSession and FindToken read the user in the same query).
type userRow struct {
	u        glpinet.User
	account  sql.NullInt64 // NULL for operators
	created  string
	disabled sql.NullString
	verified sql.NullString
}

func (r *userRow) dest() []any {
	return []any{&r.u.ID, &r.account, &r.u.Email, &r.u.Name, &r.u.Role, &r.u.Lang, &r.u.PasswordHash, &r.created, &r.disabled, &r.verified}
}

func (r *userRow) user() *glpinet.User {
	r.u.AccountID, r.u.CreatedAt, r.u.DisabledAt = r.account.Int64, parseTime(r.created), parseTimePtr(r.disabled)
	r.u.EmailVerifiedAt = parseTimePtr(r.verified)
	return &r.u
}

func scanUser(s scanner) (*glpinet.User, error) {
	var r userRow
	if err := s.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.user(), nil
}

// InsertUser stores a user.
func (tx *Tx) InsertUser(ctx context.Context, u *glpinet.User) error {
	var account any
	if u.AccountID != 0 {
		account = u.AccountID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO users (account_id, email, name, role, lang, password_hash, created_at, email_verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		account, u.Email, u.Name, u.Role, u.Lang, u.PasswordHash, fmtTime(tx.now), fmtTimePtr(u.EmailVerifiedAt))
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

// ListUsers returns a page of an account's users by ID.
func (db *DB) ListUsers(ctx context.Context, accountID int64, p glpinet.Page) ([]*glpinet.User, string, error) {
	after, err := p.AfterID(glpinet.CursorUsers)
	if err != nil {
		return nil, "", err
	}
	users, err := collect(scanUser)(db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?`,
		accountID, after, p.Size()+1))
	if err != nil {
		return nil, "", err
	}
	users, next := glpinet.Cut(p, users, func(u *glpinet.User) string { return glpinet.IDCursor(glpinet.CursorUsers, u.ID) })
	return users, next, nil
}

// ListOperators returns the operators by ID.
func (db *DB) ListOperators(ctx context.Context) ([]*glpinet.User, error) {
	return collect(scanUser)(db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE account_id IS NULL ORDER BY id`))
}

// UpdatePassword replaces a user's password hash.
func (tx *Tx) UpdatePassword(ctx context.Context, id int64, hash string) (bool, error) {
	return affected(tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id))
}

// DeleteSessions ends a user's sessions.
func (tx *Tx) DeleteSessions(ctx context.Context, userID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// LockEnabledOperators reads the enabled operators' IDs. SQLite's single
// writer is the lock: the transaction began IMMEDIATE.
func (tx *Tx) LockEnabledOperators(ctx context.Context) ([]int64, error) {
	scanID := func(s scanner) (id int64, err error) { return id, s.Scan(&id) }
	return collect(scanID)(tx.QueryContext(ctx, `SELECT id FROM users WHERE account_id IS NULL AND disabled_at IS NULL ORDER BY id`))
}

// LockUser reads one user; nil when none.
func (tx *Tx) LockUser(ctx context.Context, id int64) (*glpinet.User, error) {
	return orNone(scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)))
}

// UpdateUserDisabled disables a user at the transaction's instant, or
// enables them.
func (tx *Tx) UpdateUserDisabled(ctx context.Context, id int64, disabled bool) error {
	var at any // NULL: enabled
	if disabled {
		at = fmtTime(tx.now)
	}
	_, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, at, id)
	return err
}

// LockOwners reads the IDs of an account's owners. SQLite's single writer
// is the lock: the transaction began IMMEDIATE.
func (tx *Tx) LockOwners(ctx context.Context, account int64) ([]int64, error) {
	scanID := func(s scanner) (id int64, err error) { return id, s.Scan(&id) }
	return collect(scanID)(tx.QueryContext(ctx, `SELECT id FROM users WHERE account_id = ? AND role = 'owner' ORDER BY id`, account))
}

// UpdateUserRole sets a user's role.
func (tx *Tx) UpdateUserRole(ctx context.Context, id int64, role glpinet.UserRole) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, role, id)
	return err
}

// DeleteUser deletes a user; the foreign keys delete their sessions and
// API tokens.
func (tx *Tx) DeleteUser(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	return err
}
