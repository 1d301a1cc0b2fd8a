package glpinet

import "time"

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
	case len(a.Name) > 200:
		return Errorf(EINVALID, "An account name is at most 200 characters long.")
	case a.State != AccountActive && a.State != AccountSuspended:
		return Errorf(EINVALID, "Unknown account state %q (use active or suspended).", a.State)
	}
	return nil
}

// AccountFilter selects accounts in FindAccounts.
type AccountFilter struct {
	ID     *int64
	Name   *string // case-insensitive substring
	Offset int
	Limit  int // 0 means no limit
}
