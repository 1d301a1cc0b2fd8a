package postgres

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

const userColumns = `id, account_id, email, name, role, lang, password_hash, created_at, disabled_at, email_verified_at`

// userRow receives userColumns, alone or after another table's columns
// (FindSession and FindToken read the user in the same query).
type userRow struct {
	u       glpinet.User
	account *int64 // NULL for operators
}

func (r *userRow) dest() []any {
	return []any{&r.u.ID, &r.account, &r.u.Email, &r.u.Name, &r.u.Role, &r.u.Lang, &r.u.PasswordHash, &r.u.CreatedAt, &r.u.DisabledAt, &r.u.EmailVerifiedAt}
}

func (r *userRow) user() *glpinet.User {
	if r.account != nil {
		r.u.AccountID = *r.account
	}
	return &r.u
}

func scanUser(row pgx.Row) (*glpinet.User, error) {
	var r userRow
	if err := row.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.user(), nil
}

// InsertUser stores a user.
func (tx *Tx) InsertUser(ctx context.Context, u *glpinet.User) error {
	var account *int64 // NULL for operators
	if u.AccountID != 0 {
		account = &u.AccountID
	}
	err := tx.QueryRow(ctx, `INSERT INTO users (account_id, email, name, role, lang, password_hash, created_at, email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		account, u.Email, u.Name, u.Role, u.Lang, u.PasswordHash, tx.now, u.EmailVerifiedAt).Scan(&u.ID)
	if isUnique(err) {
		return glpinet.Errorf(glpinet.ECONFLICT, "A user with the e-mail %s already exists.", u.Email)
	} else if err != nil {
		return err
	}
	u.CreatedAt = tx.now
	return nil
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*glpinet.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err == pgx.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", id)
	}
	return u, mapError(err)
}

// FindUserByEmail returns the user with this e-mail, whatever its case.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*glpinet.User, error) {
	// lower(email) is what the unique index users_email holds.
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1)`, glpinet.NormalizeEmail(email)))
	if err == pgx.ErrNoRows {
		return nil, glpinet.Errorf(glpinet.ENOTFOUND, "No user has the e-mail %s.", email)
	}
	return u, mapError(err)
}

// ListUsers returns a page of an account's users by ID.
func (db *DB) ListUsers(ctx context.Context, accountID int64, p glpinet.Page) ([]*glpinet.User, string, error) {
	after, err := p.AfterID(glpinet.CursorUsers)
	if err != nil {
		return nil, "", err
	}
	users, err := collect(scanUser)(db.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		accountID, after, p.Size()+1))
	if err != nil {
		return nil, "", err
	}
	users, next := glpinet.Cut(p, users, func(u *glpinet.User) string { return glpinet.IDCursor(glpinet.CursorUsers, u.ID) })
	return users, next, nil
}

// ListOperators returns the operators by ID.
func (db *DB) ListOperators(ctx context.Context) ([]*glpinet.User, error) {
	return collect(scanUser)(db.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE account_id IS NULL ORDER BY id`))
}

// UpdatePassword replaces a user's password hash.
func (tx *Tx) UpdatePassword(ctx context.Context, id int64, hash string) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, id)
	return err == nil && tag.RowsAffected() > 0, err
}

// DeleteSessions ends a user's sessions.
func (tx *Tx) DeleteSessions(ctx context.Context, userID int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return err
}

// LockEnabledOperators reads the enabled operators' IDs, their rows
// locked in ID order. A transaction that waited for one of them reads it
// again as committed (READ COMMITTED): an operator another transaction
// just disabled is no longer among them.
func (tx *Tx) LockEnabledOperators(ctx context.Context) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE account_id IS NULL AND disabled_at IS NULL ORDER BY id FOR UPDATE`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// LockUser reads one user, its row locked; nil when none.
func (tx *Tx) LockUser(ctx context.Context, id int64) (*glpinet.User, error) {
	return orNone(scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, id)))
}

// UpdateUserDisabled disables a user at the transaction's instant, or
// enables them.
func (tx *Tx) UpdateUserDisabled(ctx context.Context, id int64, disabled bool) error {
	var at *time.Time // NULL: enabled
	if disabled {
		at = &tx.now
	}
	_, err := tx.Exec(ctx, `UPDATE users SET disabled_at = $1 WHERE id = $2`, at, id)
	return err
}

// LockOwners reads the IDs of an account's owners, their rows locked in
// ID order. A transaction that waited for one of them reads it again as
// committed (READ COMMITTED): an owner another transaction just demoted
// or removed is no longer among them.
func (tx *Tx) LockOwners(ctx context.Context, account int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE account_id = $1 AND role = 'owner' ORDER BY id FOR UPDATE`, account)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// UpdateUserRole sets a user's role.
func (tx *Tx) UpdateUserRole(ctx context.Context, id int64, role glpinet.UserRole) error {
	_, err := tx.Exec(ctx, `UPDATE users SET role = $1 WHERE id = $2`, role, id)
	return err
}

// DeleteUser deletes a user; the foreign keys delete their sessions and
// API tokens.
func (tx *Tx) DeleteUser(ctx context.Context, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
	return err
}
