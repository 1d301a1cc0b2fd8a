package glpinet

import (
	"context"
	"time"
)

// AccountState says whether an account's keys may be used.
type AccountState string

// Account states.
const (
	AccountActive    AccountState = "active"
	AccountSuspended AccountState = "suspended"
)

// Account is an organisation: the owner GLPI shows as "Registered by". It
// owns users, subscriptions and registration keys.
type Account struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	State     AccountState `json:"state"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// Validate reports an EINVALID error when the account cannot be stored.
func (a *Account) Validate() error {
	switch {
	case a.Name == "":
		return Errorf(EINVALID, "An account needs a name.")
	case a.State != AccountActive && a.State != AccountSuspended:
		return Errorf(EINVALID, "Unknown account state %q (use active or suspended).", clip(string(a.State)))
	}
	return CheckText("account name", a.Name, MaxNameLen)
}

// AllowsIssuing returns an EFORBIDDEN error when an account in state s may
// not be given new credentials: a suspended account gets no new or rotated
// registration key, and its users no new API token, until an operator
// reactivates it. action says what was refused, as the end of the
// sentence "The account is suspended: …" (e.g. "no key can be issued for
// it"). The stores apply it in the transaction that would issue.
func (s AccountState) AllowsIssuing(action string) error {
	if s == AccountSuspended {
		return Errorf(EFORBIDDEN, "The account is suspended: %s until an operator reactivates it.", action)
	}
	return nil
}

// CheckIssuable is AllowsIssuing for the accounts ids, whose states a
// store read: it returns ENOTFOUND for the first one that has no state
// (it does not exist), EFORBIDDEN for the first suspended one.
func CheckIssuable(ids []int64, states map[int64]AccountState, action string) error {
	for _, id := range ids {
		state, ok := states[id]
		if !ok {
			return Errorf(ENOTFOUND, "Account %d does not exist.", id)
		}
		if err := state.AllowsIssuing(action); err != nil {
			return err
		}
	}
	return nil
}

// AccountFilter selects accounts in FindAccounts, one page at a time.
type AccountFilter struct {
	ID   *int64
	Name *string // case-insensitive substring
	Page
	// Offset skips rows after the cursor: only for the clients of the
	// management API's and the command line's former ?offset=; it costs
	// what it skips, where a cursor costs nothing.
	Offset int
}

// AccountStore keeps accounts.
type AccountStore interface {
	// CreateAccount stores a new account, sets its ID and timestamps, and
	// gives it its perpetual free subscription. Returns EINVALID.
	CreateAccount(ctx context.Context, a *Account) error
	// FindAccountByID returns ENOTFOUND.
	FindAccountByID(ctx context.Context, id int64) (*Account, error)
	// FindAccounts returns a page of the matching accounts by ID, and the
	// cursor of the next page ("" on the last). Returns EINVALID (a
	// malformed cursor).
	FindAccounts(ctx context.Context, f AccountFilter) ([]*Account, string, error)
	// SetAccountState suspends or reactivates an account. Returns ENOTFOUND, EINVALID.
	SetAccountState(ctx context.Context, id int64, state AccountState) error
	// CountAccounts returns how many accounts exist.
	CountAccounts(ctx context.Context) (int, error)
}
