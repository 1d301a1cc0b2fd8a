package glpinet

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// UserRole is a user's role within their account.
type UserRole string

// User roles, from the most to the least powerful. Operators run the
// glpinet server itself; they belong to no customer account's hierarchy
// but may see and change every account.
const (
	RoleOwner    UserRole = "owner"
	RoleAdmin    UserRole = "admin"
	RoleMember   UserRole = "member"
	RoleOperator UserRole = "operator"
)

// Rank orders roles: a higher rank may do what a lower one may.
func (r UserRole) Rank() int {
	switch r {
	case RoleMember:
		return 1
	case RoleAdmin:
		return 2
	case RoleOwner:
		return 3
	case RoleOperator:
		return 4
	}
	return 0
}

// User is a person who logs in to the portal for an account.
type User struct {
	ID           int64     `json:"id"`
	AccountID    int64     `json:"account_id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         UserRole  `json:"role"`
	Lang         string    `json:"lang"`
	PasswordHash string    `json:"-"` // argon2id, PHC string format
	CreatedAt    time.Time `json:"created_at"`
	// DisabledAt is when the user was disabled, nil while they may sign
	// in. A disabled user keeps their data and tokens, so that enabling
	// them gives back exactly what they had.
	DisabledAt *time.Time `json:"disabled_at"`
	// EmailVerifiedAt is when the user proved they read their e-mail
	// address (a mailed link, or an operator who vouched for it); nil
	// while they have not. See EmailVerificationStore.
	EmailVerifiedAt *time.Time `json:"email_verified_at"`
}

// Disabled reports whether the user may not sign in nor use their tokens.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// Verified reports whether the user's e-mail address is verified: an
// unverified user may sign in but not issue registration keys.
func (u *User) Verified() bool { return u.EmailVerifiedAt != nil }

// NormalizeEmail trims and lower-cases an e-mail address: addresses are
// compared without regard to case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail returns an EINVALID error unless email, already normalised
// (NormalizeEmail), is a bare e-mail address a user may have.
func CheckEmail(email string) error {
	if len(email) > MaxEmailLen {
		return Errorf(EINVALID, "An e-mail address is at most %d bytes long (this one has %d).", MaxEmailLen, len(email))
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return Errorf(EINVALID, "%q is not an e-mail address.", email)
	}
	return nil
}

// Prepare normalises a user before it is stored (e-mail trimmed and
// lower-cased, name trimmed, "en" when no language is set) and validates
// it. Both stores call it, whichever surface creates the user.
func (u *User) Prepare() error {
	u.Email, u.Name = NormalizeEmail(u.Email), strings.TrimSpace(u.Name)
	if u.Lang == "" {
		u.Lang = "en"
	}
	return u.Validate()
}

// PrepareNew is Prepare for a user added to an existing account, or an
// operator: operators, and only they, belong to no account.
func (u *User) PrepareNew() error {
	if err := u.Prepare(); err != nil {
		return err
	}
	if (u.Role == RoleOperator) != (u.AccountID == 0) {
		return Errorf(EINVALID, "Operators belong to no account; every other user belongs to one.")
	}
	return nil
}

// PrepareSignUp readies a sign-up before it is stored: the account is
// active, its name trimmed, and its first user is its owner.
func PrepareSignUp(a *Account, owner *User) error {
	a.Name, a.State = strings.TrimSpace(a.Name), AccountActive
	if err := a.Validate(); err != nil {
		return err
	}
	owner.Role = RoleOwner
	return owner.Prepare()
}

// Validate reports an EINVALID error when the user cannot be stored.
func (u *User) Validate() error {
	if err := CheckEmail(u.Email); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(u.Name) == "":
		return Errorf(EINVALID, "A user needs a name.")
	case u.Role.Rank() == 0:
		return Errorf(EINVALID, "Unknown role %q (owner, admin, member or operator).", clip(string(u.Role)))
	case u.PasswordHash == "":
		return Errorf(EINVALID, "A user needs a password.")
	case len(u.Lang) > MaxLangLen:
		return Errorf(EINVALID, "A language is a code of at most %d letters (got %q).", MaxLangLen, clip(u.Lang))
	}
	if err := CheckText("user name", u.Name, MaxNameLen); err != nil {
		return err
	}
	return CheckText("language", u.Lang, MaxLangLen)
}

// Session is a logged-in portal session; only the SHA-256 of its cookie
// value is stored.
type Session struct {
	Hash      [32]byte  `json:"-"`
	UserID    int64     `json:"user_id"`
	CSRF      string    `json:"-"` // per-session token echoed by every form
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Invitation lets people join an account with a role, without an operator.
type Invitation struct {
	ID        int64      `json:"id"`
	AccountID int64      `json:"account_id"`
	Hash      [32]byte   `json:"-"`
	Display   string     `json:"display"` // the code's first characters
	Role      UserRole   `json:"role"`
	MaxUses   int        `json:"max_uses"`
	Uses      int        `json:"uses"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	CreatedBy int64      `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	// Email is the address the invitation was mailed to, "" for a link
	// only handed over by its creator. The join page offers it; whoever
	// holds the link may still join with another address.
	Email string `json:"email,omitempty"`
	// MailLink is the join link mailed to Email, set by the inviter for
	// CreateInvitation only: it holds the code, so it is never stored,
	// listed nor logged.
	MailLink string `json:"-"`
}

// Usable returns an EINVALID error saying why the invitation cannot be
// used at now, or nil.
func (i *Invitation) Usable(now time.Time) error {
	switch {
	case i.RevokedAt != nil:
		return Errorf(EINVALID, "This invitation was revoked.")
	case !now.Before(i.ExpiresAt):
		return Errorf(EINVALID, "This invitation expired on %s.", FormatDate(i.ExpiresAt))
	case i.Uses >= i.MaxUses:
		return Errorf(EINVALID, "This invitation has been used as many times as it allows (%d).", i.MaxUses)
	}
	return nil
}

// Validate reports an EINVALID error when the invitation cannot be stored.
func (i *Invitation) Validate() error {
	switch {
	case i.Role != RoleMember && i.Role != RoleAdmin:
		return Errorf(EINVALID, "An invitation gives the member or admin role.")
	case i.MaxUses < 1 || i.MaxUses > MaxInvitationUses:
		return Errorf(EINVALID, "An invitation allows 1 to %d uses.", MaxInvitationUses)
	case i.ExpiresAt.IsZero():
		return Errorf(EINVALID, "An invitation needs an expiry.")
	case i.Email != "" && i.MailLink == "":
		return Errorf(EINVALID, "An invitation mailed to an address needs the link to mail.")
	}
	if i.Email != "" {
		return CheckEmail(i.Email)
	}
	return nil
}

// TokenScope is what a personal API token may do.
type TokenScope string

// Token scopes.
const (
	ScopeRead    TokenScope = "read"    // read the account's data
	ScopeKeys    TokenScope = "keys"    // issue, rotate and revoke keys
	ScopePublish TokenScope = "publish" // publish plugins (operators)
	ScopeAdmin   TokenScope = "admin"   // everything the user may do
)

// ValidScope reports whether s is a known scope.
func ValidScope(s TokenScope) bool {
	switch s {
	case ScopeRead, ScopeKeys, ScopePublish, ScopeAdmin:
		return true
	}
	return false
}

// APIToken is a personal token for the management API; only its SHA-256 is
// stored.
type APIToken struct {
	ID         int64        `json:"id"`
	UserID     int64        `json:"user_id"`
	Name       string       `json:"name"`
	Hash       [32]byte     `json:"-"`
	Display    string       `json:"display"`
	Scopes     []TokenScope `json:"scopes"`
	ExpiresAt  *time.Time   `json:"expires_at"`
	LastUsedAt *time.Time   `json:"last_used_at"`
	RevokedAt  *time.Time   `json:"revoked_at"`
	CreatedAt  time.Time    `json:"created_at"`
}

// Has reports whether the token carries scope s (admin carries all).
func (t *APIToken) Has(s TokenScope) bool {
	for _, x := range t.Scopes {
		if x == s || x == ScopeAdmin {
			return true
		}
	}
	return false
}

// Validate reports an EINVALID error when the token cannot be stored.
func (t *APIToken) Validate() error {
	if strings.TrimSpace(t.Name) == "" {
		return Errorf(EINVALID, "A token needs a name.")
	}
	if err := CheckText("token name", t.Name, MaxTokenNameLen); err != nil {
		return err
	}
	if len(t.Scopes) == 0 {
		return Errorf(EINVALID, "A token needs at least one scope (read, keys, publish, admin).")
	}
	for _, s := range t.Scopes {
		if !ValidScope(s) {
			return Errorf(EINVALID, "Unknown scope %q (read, keys, publish, admin).", clip(string(s)))
		}
	}
	return nil
}

// UserStore keeps portal users.
type UserStore interface {
	// SignUp creates an account (with its free subscription) and its owner
	// in one transaction, setting both IDs. Returns EINVALID, ECONFLICT
	// (e-mail already used).
	SignUp(ctx context.Context, a *Account, owner *User) error
	// CreateUser stores a user of an existing account, or an operator
	// (AccountID 0). Returns EINVALID, ENOTFOUND (account), ECONFLICT (e-mail).
	CreateUser(ctx context.Context, u *User) error
	// FindUserByID returns ENOTFOUND.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByEmail returns ENOTFOUND; e-mails compare without case.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// ListUsers returns a page of an account's users by ID, and the
	// cursor of the next page ("" on the last). Returns EINVALID (a
	// malformed cursor).
	ListUsers(ctx context.Context, accountID int64, p Page) ([]*User, string, error)
	// ListOperators returns the operators (users of no account) by ID.
	ListOperators(ctx context.Context) ([]*User, error)
	// SetPassword replaces a user's password hash and ends their sessions.
	// Returns ENOTFOUND.
	SetPassword(ctx context.Context, userID int64, hash string) error
	// SetUserDisabled disables user id (disabled true) or enables them
	// again, with an audit event. Disabling ends their sessions; while it
	// lasts, FindSession and FindToken find nothing of theirs, and
	// enabling gives their unexpired tokens back. It returns the user as
	// stored now and whether the call changed them: setting the state the
	// user already has writes nothing. Returns ENOTFOUND, ECONFLICT
	// (disabling the last enabled operator, which would leave nobody to
	// run the server).
	SetUserDisabled(ctx context.Context, id int64, disabled bool) (u *User, changed bool, err error)
	// ChangeMember gives a user of a customer account a new role or
	// removes them, in one transaction with an audit event, after
	// MemberChange.Check. A removed user is deleted with their sessions
	// and API tokens: they lose access at once, and their e-mail may join
	// or sign up again. It returns the user as stored now (as it was, for
	// a removal) and whether the call changed anything: giving the role
	// the user has writes nothing. Returns ENOTFOUND, EFORBIDDEN,
	// EINVALID, ECONFLICT (the account's last owner).
	ChangeMember(ctx context.Context, c MemberChange) (u *User, changed bool, err error)
}

// SessionStore keeps portal sessions.
type SessionStore interface {
	// CreateSession stores a session.
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns a session that has not expired, with its user,
	// who is not disabled. Returns ENOTFOUND.
	FindSession(ctx context.Context, hash [32]byte) (*Session, *User, error)
	// DeleteSession ends a session (logging out); unknown ones are ignored.
	DeleteSession(ctx context.Context, hash [32]byte) error
}

// InvitationStore keeps invitations to join an account.
type InvitationStore interface {
	// CreateInvitation stores an invitation and sets its ID. Returns
	// EINVALID, ENOTFOUND (account).
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// FindInvitation returns the invitation with this code hash. Returns
	// ENOTFOUND.
	FindInvitation(ctx context.Context, hash [32]byte) (*Invitation, error)
	// ListInvitations returns an account's invitations, newest first.
	ListInvitations(ctx context.Context, accountID int64) ([]*Invitation, error)
	// RevokeInvitation revokes invitation id of the account. Returns
	// ENOTFOUND, ECONFLICT (already revoked).
	RevokeInvitation(ctx context.Context, accountID, id int64) error
	// AcceptInvitation creates u in the invitation's account with its role
	// and counts the use, in one transaction. Returns ENOTFOUND (unknown
	// code), EINVALID (revoked, expired, used up, bad user), ECONFLICT
	// (e-mail already used).
	AcceptInvitation(ctx context.Context, hash [32]byte, u *User) (*Invitation, error)
}

// TokenStore keeps personal API tokens.
type TokenStore interface {
	// CreateToken stores a token and sets its ID. Returns EINVALID, ENOTFOUND
	// (user), EFORBIDDEN (the user's account is suspended; operators, who
	// have no account, are not concerned).
	CreateToken(ctx context.Context, t *APIToken) error
	// FindToken returns a token that is neither revoked nor expired, with
	// its user, who is not disabled (the token works again once they are
	// enabled). Returns ENOTFOUND.
	FindToken(ctx context.Context, hash [32]byte) (*APIToken, *User, error)
	// ListTokens returns a user's tokens, newest first.
	ListTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// RevokeToken revokes token id of the user. Returns ENOTFOUND, ECONFLICT.
	RevokeToken(ctx context.Context, userID, id int64) error
	// TouchToken records that a token was used at.
	TouchToken(ctx context.Context, id int64, at time.Time) error
}
