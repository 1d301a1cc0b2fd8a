package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/glpinet/glpinet"
)

// InsertAccount stores a new account and its perpetual free subscription.
func (tx *Tx) InsertAccount(ctx context.Context, a *glpinet.Account) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO accounts (name, state, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		a.Name, a.State, fmtTime(tx.now), fmtTime(tx.now))
	if err != nil {
		return err
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt = tx.now, tx.now
	if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (account_id, offer_ref, begin_at, end_at, state, created_at) VALUES (?, ?, ?, NULL, 'active', ?)`,
		a.ID, glpinet.FreeOfferReference, fmtTime(tx.now), fmtTime(tx.now)); err != nil {
		return fmt.Errorf("free subscription: %w", err)
	}
	return nil
}

// FindAccounts returns a page of matching accounts by ID.
func (db *DB) FindAccounts(ctx context.Context, f glpinet.AccountFilter) ([]*glpinet.Account, string, error) {
	after, err := f.AfterID(glpinet.CursorAccounts)
	if err != nil {
		return nil, "", err
	}
	where, args := []string{"id > ?"}, []any{after}
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if f.Name != nil {
		where, args = append(where, "name LIKE ? ESCAPE '\\'"), append(args, "%"+escapeLike(*f.Name)+"%")
	}
	as, err := collect(scanAccount)(db.read.QueryContext(ctx, "SELECT id, name, state, created_at, updated_at FROM accounts WHERE "+
		strings.Join(where, " AND ")+" ORDER BY id LIMIT ? OFFSET ?", append(args, f.Size()+1, max(f.Offset, 0))...))
	if err != nil {
		return nil, "", err
	}
	as, next := glpinet.Cut(f.Page, as, func(a *glpinet.Account) string { return glpinet.IDCursor(glpinet.CursorAccounts, a.ID) })
	return as, next, nil
}

type scanner interface{ Scan(...any) error }

func scanAccount(s scanner) (*glpinet.Account, error) {
	var a glpinet.Account
	var created, updated string
	if err := s.Scan(&a.ID, &a.Name, &a.State, &created, &updated); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = parseTime(created), parseTime(updated)
	return &a, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateAccountState sets an account's state.
func (tx *Tx) UpdateAccountState(ctx context.Context, id int64, state glpinet.AccountState) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET state = ?, updated_at = ? WHERE id = ?`, state, fmtTime(tx.now), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// CountAccounts returns how many accounts exist.
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, err
}

// AccountStates reads accounts' states in one query. The single writer
// keeps them until the commit.
func (tx *Tx) AccountStates(ctx context.Context, ids []int64) (map[int64]glpinet.AccountState, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, state FROM accounts WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	states := make(map[int64]glpinet.AccountState, len(ids))
	for rows.Next() {
		var id int64
		var state glpinet.AccountState
		if err := rows.Scan(&id, &state); err != nil {
			return nil, err
		}
		states[id] = state
	}
	return states, rows.Err()
}

// AccountExists returns ENOTFOUND unless the account exists.
func (tx *Tx) AccountExists(ctx context.Context, id int64) error { return accountExists(ctx, tx, id) }

// accountExists returns ENOTFOUND unless the account exists.
func accountExists(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE id = ?`, id).Scan(&one)
	if err == sql.ErrNoRows {
		return glpinet.Errorf(glpinet.ENOTFOUND, "Account %d does not exist.", id)
	}
	return err
}
