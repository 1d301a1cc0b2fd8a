package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
)

// InsertAccount stores a new account and its perpetual free subscription.
func (tx *Tx) InsertAccount(ctx context.Context, a *glpinet.Account) error {
	if err := tx.QueryRow(ctx, `INSERT INTO accounts (name, state, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
		a.Name, a.State, tx.now).Scan(&a.ID); err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt = tx.now, tx.now
	if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (account_id, offer_ref, begin_at, end_at, state, created_at) VALUES ($1, $2, $3, NULL, 'active', $3)`,
		a.ID, glpinet.FreeOfferReference, tx.now); err != nil {
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
	where, args := []string{"id > $1"}, []any{after}
	if f.ID != nil {
		args = append(args, *f.ID)
		where = append(where, "id = $"+strconv.Itoa(len(args)))
	}
	if f.Name != nil {
		// ILIKE: the filter ignores case, as SQLite's LIKE does; backslash
		// is PostgreSQL's default escape character.
		args = append(args, "%"+escapeLike(*f.Name)+"%")
		where = append(where, "name ILIKE $"+strconv.Itoa(len(args)))
	}
	n := len(args)
	rows, err := db.pool.Query(ctx, "SELECT id, name, state, created_at, updated_at FROM accounts WHERE "+strings.Join(where, " AND ")+
		" ORDER BY id LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), append(args, f.Size()+1, max(f.Offset, 0))...)
	if err != nil {
		return nil, "", mapError(err)
	}
	defer rows.Close()
	var as []*glpinet.Account
	for rows.Next() {
		var a glpinet.Account
		if err := rows.Scan(&a.ID, &a.Name, &a.State, &a.CreatedAt, &a.UpdatedAt); err != nil {
			return nil, "", err
		}
		as = append(as, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapError(err)
	}
	as, next := glpinet.Cut(f.Page, as, func(a *glpinet.Account) string { return glpinet.IDCursor(glpinet.CursorAccounts, a.ID) })
	return as, next, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateAccountState sets an account's state.
func (tx *Tx) UpdateAccountState(ctx context.Context, id int64, state glpinet.AccountState) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE accounts SET state = $1, updated_at = $2 WHERE id = $3`, state, tx.now, id)
	return err == nil && tag.RowsAffected() > 0, err
}

// CountAccounts returns how many accounts exist.
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, mapError(err)
}

// AccountStates reads accounts' states in one query. FOR SHARE keeps
// them until the commit: a concurrent SetAccountState waits for this
// transaction (and one that committed first is seen), while issuers do not
// wait for each other. The rows are locked in ID order, so that two
// batches cannot deadlock.
func (tx *Tx) AccountStates(ctx context.Context, ids []int64) (map[int64]glpinet.AccountState, error) {
	rows, err := tx.Query(ctx, `SELECT id, state FROM accounts WHERE id = ANY($1) ORDER BY id FOR SHARE`, ids)
	if err != nil {
		return nil, err
	}
	states := make(map[int64]glpinet.AccountState, len(ids))
	var id int64
	var state glpinet.AccountState
	_, err = pgx.ForEachRow(rows, []any{&id, &state}, func() error {
		states[id] = state
		return nil
	})
	return states, err
}

// AccountExists returns ENOTFOUND unless the account exists.
func (tx *Tx) AccountExists(ctx context.Context, id int64) error { return accountExists(ctx, tx, id) }

// accountExists returns ENOTFOUND unless the account exists.
func accountExists(ctx context.Context, q querier, id int64) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM accounts WHERE id = $1`, id).Scan(&one)
	if err == pgx.ErrNoRows {
		return glpinet.Errorf(glpinet.ENOTFOUND, "Account %d does not exist.", id)
	}
	return mapError(err)
}
