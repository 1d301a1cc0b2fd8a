package storeflow

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"

	"github.com/glpinet/glpinet"
)

// CatalogueTx is a transaction that changes the catalogue and the offers.
type CatalogueTx interface {
	Tx
	// OfferExists reports whether the offer with this reference exists.
	OfferExists(ctx context.Context, ref string) (bool, error)
	// VersionExists reports whether version num of plugin key exists.
	VersionExists(ctx context.Context, key, num string) (bool, error)
	// UpsertPlugin creates plugin p or updates its catalogue text (its
	// row locked until the commit: publications of one plugin run one
	// after the other from there).
	UpsertPlugin(ctx context.Context, p *glpinet.Plugin) error
	// UpdatePlugin updates an existing plugin's catalogue text; found is
	// false when there is no such plugin.
	UpdatePlugin(ctx context.Context, p *glpinet.Plugin) (found bool, err error)
	// SetPluginTags replaces a plugin's tags, creating the missing ones.
	SetPluginTags(ctx context.Context, key string, tags []string) error
	// InsertVersion stores v, replacing an existing one only when force;
	// stored is false when it was not (a concurrent publication of the
	// same version committed first).
	InsertVersion(ctx context.Context, v *glpinet.Version, force bool) (stored bool, err error)
	// SetVersionYanked withdraws a version or puts it back; found is false
	// when there is no such version.
	SetVersionYanked(ctx context.Context, key, num string, yanked bool) (found bool, err error)
	// UpsertTag creates or renames a tag.
	UpsertTag(ctx context.Context, t *glpinet.Tag) error
	// UpsertOffer creates or changes an offer.
	UpsertOffer(ctx context.Context, o *glpinet.Offer) error
	// CountOffers returns how many offers exist.
	CountOffers(ctx context.Context) (int, error)
	// SeedOffer stores o unless its reference exists (replicas opening a
	// new database together may all find it empty: the first one's
	// offers stand).
	SeedOffer(ctx context.Context, o *glpinet.Offer) error
	// LockSignatures reads every version's plugin key, number, SHA-256
	// and signature, locked until the commit.
	LockSignatures(ctx context.Context) ([]*glpinet.Version, error)
	// SetSignature replaces version v's signature.
	SetSignature(ctx context.Context, v *glpinet.Version, sig []byte) error
}

// catalogueChanged announces a change of the catalogue to the caches, and
// records it.
func catalogueChanged(ctx context.Context, tx Tx, topicSubject, action, subject, details string) error {
	if err := tx.Change(ctx, glpinet.TopicCatalogue, topicSubject); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: action, Subject: subject, Details: details})
}

func conflictingVersion(key, num string) error {
	return glpinet.Errorf(glpinet.ECONFLICT, "Version %s of %s is already published; publish it again with --force to replace it.", num, key)
}

// PublishVersion is glpinet.PluginStore.PublishVersion.
func PublishVersion(ctx context.Context, tx CatalogueTx, p *glpinet.Plugin, v *glpinet.Version, force bool) error {
	if err := p.Validate(); err != nil {
		return err
	}
	v.PluginKey = p.Key
	if err := v.Validate(); err != nil {
		return err
	}
	if exists, err := tx.VersionExists(ctx, p.Key, v.Num); err != nil {
		return err
	} else if exists && !force {
		return conflictingVersion(p.Key, v.Num)
	}
	for _, ref := range v.RequiredOffers {
		if ok, err := tx.OfferExists(ctx, ref); err != nil {
			return err
		} else if !ok {
			return glpinet.Errorf(glpinet.EINVALID, "There is no offer %q.", ref)
		}
	}
	if err := tx.UpsertPlugin(ctx, p); err != nil {
		return err
	}
	if err := tx.SetPluginTags(ctx, p.Key, p.Tags); err != nil {
		return err
	}
	if v.ReleasedAt.IsZero() {
		v.ReleasedAt = tx.Now()
	}
	v.CreatedAt = tx.Now()
	if stored, err := tx.InsertVersion(ctx, v, force); err != nil {
		return err
	} else if !stored {
		return conflictingVersion(p.Key, v.Num)
	}
	return catalogueChanged(ctx, tx, p.Key, "plugin.publish", "plugin:"+p.Key, v.Num+" sha256:"+v.Archive.SHA256)
}

// SavePluginMeta is glpinet.PluginStore.SavePluginMeta.
func SavePluginMeta(ctx context.Context, tx CatalogueTx, p *glpinet.Plugin) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if found, err := tx.UpdatePlugin(ctx, p); err != nil {
		return err
	} else if !found {
		return glpinet.Errorf(glpinet.ENOTFOUND, "There is no plugin %q.", p.Key)
	}
	if err := tx.SetPluginTags(ctx, p.Key, p.Tags); err != nil {
		return err
	}
	return catalogueChanged(ctx, tx, p.Key, "plugin.edit", "plugin:"+p.Key, "")
}

// YankVersion is glpinet.PluginStore.YankVersion.
func YankVersion(ctx context.Context, tx CatalogueTx, key, num string, yanked bool) error {
	if found, err := tx.SetVersionYanked(ctx, key, num, yanked); err != nil {
		return err
	} else if !found {
		return glpinet.Errorf(glpinet.ENOTFOUND, "Plugin %s has no version %s.", key, num)
	}
	action := "plugin.yank"
	if !yanked {
		action = "plugin.unyank"
	}
	return catalogueChanged(ctx, tx, key, action, "plugin:"+key, num)
}

// SaveTag is glpinet.PluginStore.SaveTag.
func SaveTag(ctx context.Context, tx CatalogueTx, t *glpinet.Tag) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := tx.UpsertTag(ctx, t); err != nil {
		return err
	}
	return catalogueChanged(ctx, tx, "tag:"+t.Key, "tag.save", "tag:"+t.Key, "")
}

// SaveOffer is glpinet.OfferStore.SaveOffer.
func SaveOffer(ctx context.Context, tx CatalogueTx, o *glpinet.Offer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := tx.UpsertOffer(ctx, o); err != nil {
		return err
	}
	if err := tx.Change(ctx, glpinet.TopicOffers, o.Reference); err != nil {
		return err
	}
	return tx.Audit(ctx, glpinet.AuditEvent{Action: "offer.save", Subject: "offer:" + o.Reference})
}

// Seed gives a new database, one without offers, the default ones, in a
// transaction run by update (a store's).
func Seed[T CatalogueTx](ctx context.Context, update func(context.Context, func(T) error) error) error {
	return update(ctx, func(tx T) error { return seedOffers(ctx, tx) })
}

func seedOffers(ctx context.Context, tx CatalogueTx) error {
	if n, err := tx.CountOffers(ctx); err != nil || n > 0 {
		return err
	}
	for _, o := range glpinet.DefaultOffers() {
		if err := tx.SeedOffer(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// SignVersions is glpinet.PluginStore.SignVersions.
func SignVersions(ctx context.Context, tx CatalogueTx, sign func(v *glpinet.Version) []byte) (int, error) {
	versions, err := tx.LockSignatures(ctx)
	if err != nil {
		return 0, err
	}
	n, changed := 0, map[string]bool{}
	for _, v := range versions {
		sig := sign(v)
		if bytes.Equal(sig, v.Archive.Signature) {
			continue
		}
		if err := tx.SetSignature(ctx, v, sig); err != nil {
			return 0, err
		}
		changed[v.PluginKey] = true
		n++
	}
	for key := range changed {
		if err := tx.Change(ctx, glpinet.TopicCatalogue, key); err != nil {
			return 0, err
		}
	}
	if n == 0 {
		return 0, nil
	}
	return n, tx.Audit(ctx, glpinet.AuditEvent{Action: "plugin.resign", Subject: "catalogue", Details: strconv.Itoa(n) + " versions"})
}

// JSONList is the JSON text of a list for a column: [] for nil, as the
// columns are NOT NULL. (Lists of strings and of descriptions cannot fail
// to encode.)
func JSONList[T any](s []T) string {
	if s == nil {
		s = []T{}
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// JSONMap is JSONList for a text per language: {} for nil.
func JSONMap(m map[string]string) string {
	if m == nil {
		m = map[string]string{}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// DecodeJSON decodes JSON columns read as text: texts[i] into dsts[i].
func DecodeJSON(texts []string, dsts ...any) error {
	for i, t := range texts {
		if err := json.Unmarshal([]byte(t), dsts[i]); err != nil {
			return err
		}
	}
	return nil
}
