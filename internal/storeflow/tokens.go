package storeflow

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/glpinet/glpinet"
)

// TokenTx is a transaction that stores API tokens.
type TokenTx interface {
	AccountTx
	// UserAccount returns user id's account (0 for an operator), and
	// whether the user exists.
	UserAccount(ctx context.Context, id int64) (account int64, found bool, err error)
	// InsertToken stores t, with its scopes as the JSON array scopes, and
	// sets its ID and CreatedAt. Returns ECONFLICT (hash already used).
	InsertToken(ctx context.Context, t *glpinet.APIToken, scopes string) error
	// LockToken reads token id of the user, locked; nil when none.
	LockToken(ctx context.Context, userID, id int64) (*glpinet.APIToken, error)
	// SetTokenRevoked revokes token id at the transaction's instant.
	SetTokenRevoked(ctx context.Context, id int64) error
	// LockUser reads user id, locked; nil when none.
	LockUser(ctx context.Context, id int64) (*glpinet.User, error)
}

// CreateToken is glpinet.TokenStore.CreateToken.
func CreateToken(ctx context.Context, tx TokenTx, t *glpinet.APIToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	scopes, err := json.Marshal(t.Scopes)
	if err != nil {
		return err
	}
	account, found, err := tx.UserAccount(ctx, t.UserID)
	if err != nil {
		return err
	} else if !found {
		return glpinet.Errorf(glpinet.ENOTFOUND, "User %d does not exist.", t.UserID)
	}
	if account != 0 { // operators belong to no account
		if err := accountsIssuable(ctx, tx, "its users cannot create API tokens", account); err != nil {
			return err
		}
	}
	if err := tx.InsertToken(ctx, t, string(scopes)); err != nil {
		return err
	}
	if err := tx.Audit(ctx, glpinet.AuditEvent{Action: "token.create", Subject: glpinet.UserSubject(t.UserID),
		Details: glpinet.TokenSubject(t.ID) + " " + t.Name + " " + string(scopes)}); err != nil {
		return err
	}
	// The security notice: a token made with a stolen session works
	// without the password; its owner learns of it at once.
	u, err := tx.LockUser(ctx, t.UserID)
	if err != nil || u == nil || u.Disabled() {
		return err
	}
	expires := ""
	if t.ExpiresAt != nil {
		expires = glpinet.FormatDate(*t.ExpiresAt)
	}
	names := make([]string, len(t.Scopes))
	for i, sc := range t.Scopes {
		names[i] = string(sc)
	}
	return EnqueueMail(ctx, tx, &glpinet.Mail{To: u.Email, Lang: u.Lang, Kind: glpinet.MailKindTokenCreated,
		Data: map[string]string{"name": u.Name, "token": t.Name, "scopes": strings.Join(names, ", "), "expires": expires}})
}

// RevokeToken is glpinet.TokenStore.RevokeToken.
func RevokeToken(ctx context.Context, tx TokenTx, userID, id int64) error {
	t, err := tx.LockToken(ctx, userID, id)
	switch {
	case err != nil:
		return err
	case t == nil:
		return glpinet.Errorf(glpinet.ENOTFOUND, "Token %d does not exist.", id)
	case t.RevokedAt != nil:
		return glpinet.Errorf(glpinet.ECONFLICT, "Token %d is already revoked.", id)
	}
	if err := tx.SetTokenRevoked(ctx, id); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "token.revoke", Subject: glpinet.UserSubject(userID), Details: glpinet.TokenSubject(id)})
}
