package main

import (
	"context"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/publish"
)

// TestPortalMarketplaceSearch: a customer finds a plugin by a word of its
// description in either language, by tag, or not at all (and is told so);
// the description and the logo are shown in the customer's language, a
// plain-http logo is not (the page loads images over https only), and a
// gated version says which offer unlocks it with a way to the offers.
func TestPortalMarketplaceSearch(t *testing.T) {
	seed := func(t *testing.T, ctx context.Context, db Store, pub *publish.Publisher) {
		for _, p := range []struct {
			key, logo string
			descs     []glpinet.Description
			tags      []string
			offers    []string
		}{
			{"fields", "https://cdn.example/fields.png", []glpinet.Description{{Lang: "en", Short: "Add custom fields to any form"}, {Lang: "fr", Short: "Ajoute des champs personnalisés"}}, []string{"forms"}, nil},
			{"inventory", "http://cdn.example/inv.png", []glpinet.Description{{Lang: "en", Short: "Network inventory agent"}}, []string{"inventory"}, []string{"standard"}},
			{"reports", "", []glpinet.Description{{Lang: "en", Short: "Monthly reports"}}, []string{"reporting", "forms"}, nil},
		} {
			var opts glpinet.PublishOptions
			opts.RequiredOffers = p.offers
			opts.Meta.LogoURL, opts.Meta.Descriptions, opts.Meta.Tags = p.logo, p.descs, p.tags
			publishOrFail(t, ctx, pub, testkit.Plugin{Key: p.key, Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "12.0.0"}, opts)
		}
	}
	ts := startServer(t, seed)
	reg := loginAs(t, ts, "registered", "r@example.com", glpinet.RoleMember)

	found := func(query string) []string {
		t.Helper()
		_, body := reg.get("/marketplace?glpi=10.0.16&" + query)
		var keys []string
		for _, k := range []string{"fields", "inventory", "reports"} {
			if strings.Contains(body, "<code>"+k+"</code>") {
				keys = append(keys, k)
			}
		}
		return keys
	}
	for query, want := range map[string]string{
		"":                              "fields inventory reports",
		"q=CUSTOM":                      "fields",
		"q=personnalis%C3%A9s":          "fields", // a French word, searched in every language
		"q=network+agent":               "inventory",
		"q=network+reports":             "",
		"tag=forms":                     "fields reports",
		"tag=forms&q=monthly":           "reports",
		"q=reporting":                   "reports", // a tag is a word of the search too
		"tag=nosuchtag":                 "",
		"q=" + strings.Repeat("x", 300): "",
	} {
		if got := strings.Join(found(query), " "); got != want {
			t.Errorf("%q found %q, want %q", query, got, want)
		}
	}
	_, body := reg.get("/marketplace?glpi=10.0.16&q=zzz")
	if !strings.Contains(body, "No plugin matches this search") || !strings.Contains(body, "0 of 3 plugins") {
		t.Errorf("an empty result is not said: %.400s", body)
	}
	_, body = reg.get("/marketplace?glpi=10.0.16")
	if !strings.Contains(body, `src="https://cdn.example/fields.png"`) || strings.Contains(body, "http://cdn.example/inv.png") {
		t.Error("logos: the https one must show, the plain-http one must not")
	}
	if !strings.Contains(body, "Needs the Standard offer") || !strings.Contains(body, `<a href="/offers">See the offers</a>`) {
		t.Errorf("the gated version does not say which offer unlocks it: %.600s", body)
	}
	_, body = reg.get("/marketplace?glpi=10.0.16&lang=fr")
	if !strings.Contains(body, "Ajoute des champs personnalisés") || strings.Contains(body, "Add custom fields to any form") {
		t.Error("the description is not shown in the customer's language")
	}
}
