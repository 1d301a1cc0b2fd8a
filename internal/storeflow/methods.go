package storeflow

import (
	"context"
	"time"

	"github.com/glpinet/glpinet"
)

// StoreTx is everything the flows need of a store's transaction.
type StoreTx interface {
	AccountWriteTx
	DisableTx
	MemberTx
	CatalogueTx
	InvitationTx
	KeyTx
	TokenTx
	ResetTx
	VerifyTx
	OfferRequestTx
	SubscriptionNoticeTx
}

// Methods implements the glpinet.Store methods that are flows, each in
// one transaction run by Update (a store's own, with its retries and
// error mapping), and the reads made of another read. A store embeds it,
// so that these methods are written once for both stores.
type Methods[T StoreTx] struct {
	// Update runs fn in a write transaction, committed when fn returns nil.
	Update func(ctx context.Context, fn func(tx T) error) error
	// Plugins reads the catalogue (only: one plugin's entry; nil: every
	// plugin) from one snapshot.
	Plugins func(ctx context.Context, only *string) ([]*glpinet.Plugin, error)
	// Accounts is the store's glpinet.AccountStore.FindAccounts.
	Accounts func(ctx context.Context, f glpinet.AccountFilter) ([]*glpinet.Account, string, error)
}

// FindAccountByID implements glpinet.AccountStore.
func (w Methods[T]) FindAccountByID(ctx context.Context, id int64) (*glpinet.Account, error) {
	as, _, err := w.Accounts(ctx, glpinet.AccountFilter{ID: &id})
	return One(as, err, glpinet.Errorf(glpinet.ENOTFOUND, "Account %d does not exist.", id))
}

// SetPassword implements glpinet.UserStore.
func (w Methods[T]) SetPassword(ctx context.Context, userID int64, hash string) error {
	return w.Update(ctx, func(tx T) error { return SetPassword(ctx, tx, userID, hash) })
}

// CreateSession implements glpinet.SessionStore.
func (w Methods[T]) CreateSession(ctx context.Context, s *glpinet.Session) error {
	return w.Update(ctx, func(tx T) error { return CreateSession(ctx, tx, s) })
}

// FindPlugin implements glpinet.PluginStore.
func (w Methods[T]) FindPlugin(ctx context.Context, key string) (*glpinet.Plugin, error) {
	ps, err := w.Plugins(ctx, &key)
	return One(ps, err, glpinet.Errorf(glpinet.ENOTFOUND, "There is no plugin %q.", key))
}

// ListPlugins implements glpinet.PluginStore.
func (w Methods[T]) ListPlugins(ctx context.Context) ([]*glpinet.Plugin, error) {
	return w.Plugins(ctx, nil)
}

// SignUp implements glpinet.UserStore.
func (w Methods[T]) SignUp(ctx context.Context, a *glpinet.Account, owner *glpinet.User) error {
	return w.Update(ctx, func(tx T) error { return SignUp(ctx, tx, a, owner) })
}

// CreateUser implements glpinet.UserStore.
func (w Methods[T]) CreateUser(ctx context.Context, u *glpinet.User) error {
	return w.Update(ctx, func(tx T) error { return CreateUser(ctx, tx, u) })
}

// CreateKey implements glpinet.KeyStore.
func (w Methods[T]) CreateKey(ctx context.Context, k *glpinet.RegistrationKey) error {
	return w.Update(ctx, func(tx T) error { return CreateKey(ctx, tx, k) })
}

// CreateKeys implements glpinet.KeyStore.
func (w Methods[T]) CreateKeys(ctx context.Context, keys []*glpinet.RegistrationKey) error {
	return w.Update(ctx, func(tx T) error { return CreateKeys(ctx, tx, keys) })
}

// RotateKey implements glpinet.KeyStore.
func (w Methods[T]) RotateKey(ctx context.Context, id int64, next *glpinet.RegistrationKey, graceUntil time.Time) error {
	return w.Update(ctx, func(tx T) error { return RotateKey(ctx, tx, id, next, graceUntil) })
}

// RevokeKey implements glpinet.KeyStore.
func (w Methods[T]) RevokeKey(ctx context.Context, id int64) error {
	return w.Update(ctx, func(tx T) error { return RevokeKey(ctx, tx, id) })
}

// CreateInvitation implements glpinet.InvitationStore.
func (w Methods[T]) CreateInvitation(ctx context.Context, inv *glpinet.Invitation) error {
	return w.Update(ctx, func(tx T) error { return CreateInvitation(ctx, tx, inv) })
}

// RevokeInvitation implements glpinet.InvitationStore.
func (w Methods[T]) RevokeInvitation(ctx context.Context, accountID, id int64) error {
	return w.Update(ctx, func(tx T) error { return RevokeInvitation(ctx, tx, accountID, id) })
}

// AcceptInvitation implements glpinet.InvitationStore.
func (w Methods[T]) AcceptInvitation(ctx context.Context, hash [32]byte, u *glpinet.User) (inv *glpinet.Invitation, err error) {
	err = w.Update(ctx, func(tx T) error {
		inv, err = AcceptInvitation(ctx, tx, hash, u)
		return err
	})
	return inv, err
}

// CreateToken implements glpinet.TokenStore.
func (w Methods[T]) CreateToken(ctx context.Context, t *glpinet.APIToken) error {
	return w.Update(ctx, func(tx T) error { return CreateToken(ctx, tx, t) })
}

// RevokeToken implements glpinet.TokenStore.
func (w Methods[T]) RevokeToken(ctx context.Context, userID, id int64) error {
	return w.Update(ctx, func(tx T) error { return RevokeToken(ctx, tx, userID, id) })
}

// CreateAccount implements glpinet.AccountStore.
func (w Methods[T]) CreateAccount(ctx context.Context, a *glpinet.Account) error {
	return w.Update(ctx, func(tx T) error { return CreateAccount(ctx, tx, a) })
}

// SetAccountState implements glpinet.AccountStore.
func (w Methods[T]) SetAccountState(ctx context.Context, id int64, state glpinet.AccountState) error {
	return w.Update(ctx, func(tx T) error { return SetAccountState(ctx, tx, id, state) })
}

// CreateSubscription implements glpinet.SubscriptionStore.
func (w Methods[T]) CreateSubscription(ctx context.Context, s *glpinet.Subscription) error {
	return w.Update(ctx, func(tx T) error { return CreateSubscription(ctx, tx, s) })
}

// UpdateSubscription implements glpinet.SubscriptionStore.
func (w Methods[T]) UpdateSubscription(ctx context.Context, id int64, end *time.Time, state glpinet.SubscriptionState) (s *glpinet.Subscription, err error) {
	err = w.Update(ctx, func(tx T) error {
		s, err = UpdateSubscription(ctx, tx, id, end, state)
		return err
	})
	return s, err
}

// SaveOffer implements glpinet.OfferStore.
func (w Methods[T]) SaveOffer(ctx context.Context, o *glpinet.Offer) error {
	return w.Update(ctx, func(tx T) error { return SaveOffer(ctx, tx, o) })
}

// PublishVersion implements glpinet.PluginStore.
func (w Methods[T]) PublishVersion(ctx context.Context, p *glpinet.Plugin, v *glpinet.Version, force bool) error {
	return w.Update(ctx, func(tx T) error { return PublishVersion(ctx, tx, p, v, force) })
}

// SavePluginMeta implements glpinet.PluginStore.
func (w Methods[T]) SavePluginMeta(ctx context.Context, p *glpinet.Plugin) error {
	return w.Update(ctx, func(tx T) error { return SavePluginMeta(ctx, tx, p) })
}

// YankVersion implements glpinet.PluginStore.
func (w Methods[T]) YankVersion(ctx context.Context, key, num string, yanked bool) error {
	return w.Update(ctx, func(tx T) error { return YankVersion(ctx, tx, key, num, yanked) })
}

// SaveTag implements glpinet.PluginStore.
func (w Methods[T]) SaveTag(ctx context.Context, t *glpinet.Tag) error {
	return w.Update(ctx, func(tx T) error { return SaveTag(ctx, tx, t) })
}

// SignVersions implements glpinet.PluginStore.
func (w Methods[T]) SignVersions(ctx context.Context, sign func(v *glpinet.Version) []byte) (n int, err error) {
	err = w.Update(ctx, func(tx T) error {
		n, err = SignVersions(ctx, tx, sign)
		return err
	})
	return n, err
}

// SetUserDisabled implements glpinet.UserStore.
func (w Methods[T]) SetUserDisabled(ctx context.Context, id int64, disabled bool) (u *glpinet.User, changed bool, err error) {
	err = w.Update(ctx, func(tx T) error {
		u, changed, err = SetUserDisabled(ctx, tx, id, disabled)
		return err
	})
	return u, changed, err
}
