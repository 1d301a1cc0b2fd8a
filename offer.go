package glpinet

import (
	"context"
	"strings"
)

// Offer is a level of service a subscription grants: the free "registered"
// offer or a paid one. A higher level includes everything a lower level
// unlocks.
type Offer struct {
	Reference string            `json:"offer_reference"`
	Level     int               `json:"level"`
	Titles    map[string]string `json:"titles"` // language (2 letters) → title; "en" is the fallback
	Features  []string          `json:"features"`
	// Prices and Descriptions are what the offers page says of the offer,
	// per language like Titles, written by operators: a price is free
	// text ("400 € / year", "on quotation").
	Prices       map[string]string `json:"prices,omitempty"`
	Descriptions map[string]string `json:"descriptions,omitempty"`
}

// Limits of an offer's texts, in bytes.
const (
	MaxOfferPriceLen       = 100
	MaxOfferDescriptionLen = 2000
)

// Price returns the offer's price text in lang, falling back to English;
// "" when there is none.
func (o *Offer) Price(lang string) string { return translated(o.Prices, lang) }

// Description returns the offer's description in lang, falling back to
// English; "" when there is none.
func (o *Offer) Description(lang string) string { return translated(o.Descriptions, lang) }

func translated(m map[string]string, lang string) string {
	if t := m[lang]; t != "" {
		return t
	}
	return m["en"]
}

// Title returns the offer's title in lang, falling back to English and then
// to the reference.
func (o *Offer) Title(lang string) string {
	if t := o.Titles[lang]; t != "" {
		return t
	} else if t := o.Titles["en"]; t != "" {
		return t
	}
	return o.Reference
}

// Validate reports an EINVALID error when the offer cannot be stored (see
// the limits in limits.go).
func (o *Offer) Validate() error {
	if !validSlug(o.Reference) {
		return Errorf(EINVALID, "An offer reference is 1 to 50 characters among a-z, 0-9, '-' and '_' (got %q).", clip(o.Reference))
	}
	if o.Level < 0 {
		return Errorf(EINVALID, "An offer level is zero or more.")
	}
	if err := checkTranslations("offer title", o.Titles, MaxTitleLen); err != nil {
		return err
	}
	if err := checkTranslations("offer price", o.Prices, MaxOfferPriceLen); err != nil {
		return err
	}
	if err := checkTranslations("offer description", o.Descriptions, MaxOfferDescriptionLen); err != nil {
		return err
	}
	if err := checkCount("features in an offer", len(o.Features), MaxFeatures); err != nil {
		return err
	}
	for _, f := range o.Features {
		if err := CheckText("offer feature", f, MaxFeatureLen); err != nil {
			return err
		}
	}
	return nil
}

// validSlug reports whether s is safe in a URL path segment and a header
// without any encoding (GLPI interpolates such values without encoding them).
func validSlug(s string) bool {
	if s == "" || len(s) > 50 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}

// DefaultOffers returns the four offers a new database is seeded with.
func DefaultOffers() []*Offer {
	return []*Offer{
		{Reference: "registered", Level: 0, Titles: map[string]string{"en": "Registered (free)", "fr": "Enregistré (gratuit)"}, Features: []string{"marketplace"}},
		{Reference: "basic", Level: 10, Titles: map[string]string{"en": "Basic", "fr": "Basique"}, Features: []string{"marketplace", "plugins-basic"}},
		{Reference: "standard", Level: 20, Titles: map[string]string{"en": "Standard", "fr": "Standard"}, Features: []string{"marketplace", "plugins-basic", "plugins-standard"}},
		{Reference: "advanced", Level: 30, Titles: map[string]string{"en": "Advanced", "fr": "Avancé"}, Features: []string{"marketplace", "plugins-basic", "plugins-standard", "plugins-advanced"}},
	}
}

// FreeOfferReference is the offer every account holds forever.
const FreeOfferReference = "registered"

// OfferStore keeps offers.
type OfferStore interface {
	// ListOffers returns every offer by increasing level.
	ListOffers(ctx context.Context) ([]*Offer, error)
	// SaveOffer creates or updates an offer by reference. Returns EINVALID.
	SaveOffer(ctx context.Context, o *Offer) error
}
