package portal

import (
	"net/http"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/glpiapi"
)

type marketplaceData struct {
	GLPI    string
	Filter  marketFilter
	Tags    []marketTag
	Total   int // plugins in the catalogue, before the search
	Plugins []marketRow
	lang    string
	offers  map[string]*glpinet.Offer
}

// marketRow is a plugin as the page shows it: what GLPI would get, with
// the description in the visitor's language and a logo that may be shown.
type marketRow struct {
	glpiapi.Plugin
	Text glpinet.Description
	// Logo is the plugin's logo when it is an https URL: the page's
	// Content-Security-Policy loads images over https only, and a plain
	// http one would be mixed content.
	Logo string
}

// Needs returns the title of the lowest offer of refs (a plugin's or a
// version's required offers, every offer that includes the one asked): the
// offer that unlocks it.
func (d marketplaceData) Needs(refs []string) string {
	var low *glpinet.Offer
	for _, r := range refs {
		if o := d.offers[r]; o != nil && (low == nil || o.Level < low.Level) {
			low = o
		}
	}
	if low == nil {
		if len(refs) > 0 {
			return refs[0] // an offer the catalogue does not know: its reference
		}
		return ""
	}
	return low.Title(d.lang)
}

// handleMarketplacePage shows the catalogue as the account's GLPI would
// see it: the versions its GLPI version can run, and download links only
// where its running offer suffices (the same rules as the GLPI API).
func (h *Handler) handleMarketplacePage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	cat := h.Catalogue.Current()
	if cat == nil {
		h.Error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "The catalogue is not loaded yet."))
		return
	}
	d := marketplaceData{GLPI: r.URL.Query().Get("glpi"), lang: v.lang, offers: cat.OfferMap()}
	if d.GLPI == "" {
		// Default to the version of the account's most recently seen instance.
		if ins, _, err := h.Store.ListInstances(r.Context(), a.ID, glpinet.Page{Limit: 1}); err == nil && len(ins) > 0 {
			d.GLPI = ins[0].GLPIVersion
		}
	}
	glpi := glpinet.ParseUserAgent("GLPI/" + d.GLPI).GLPIVersion
	subs, err := h.Store.ListSubscriptions(r.Context(), a.ID)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	offers := cat.OfferMap()
	level := -1
	if a.State == glpinet.AccountActive {
		if run := glpinet.RunningSubscription(subs, offers, h.Now()); run != nil {
			level = offers[run.OfferRef].Level
		}
	}
	vw := h.GLPI.View(cat, glpi, level, h.GLPI.URLRoot(r))
	q := r.URL.Query()
	d.Filter = marketFilter{Q: strings.TrimSpace(q.Get("q")), Tag: q.Get("tag")}
	if len(d.Filter.Q) > 200 {
		d.Filter.Q = d.Filter.Q[:200] // a search, not a document: bounded work per request
	}
	var tagNames map[string][]string
	d.Tags, tagNames = marketTags(cat, v.lang)
	d.Total = len(cat.Plugins)
	for _, p := range cat.Plugins {
		if !d.Filter.matches(p, tagNames) {
			continue
		}
		row := marketRow{Plugin: vw.Plugin(p), Text: localDescription(p.Descriptions, v.lang)}
		if strings.HasPrefix(p.LogoURL, "https://") {
			row.Logo = p.LogoURL
		}
		d.Plugins = append(d.Plugins, row)
	}
	h.render(w, r, http.StatusOK, "marketplace", h.pageFor(w, r, v, a, "market.title", d))
}
