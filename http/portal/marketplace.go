package portal

import (
	"net/http"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/glpiapi"
)

type marketplaceData struct {
	GLPI    string
	Plugins []glpiapi.Plugin
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
	d := marketplaceData{GLPI: r.URL.Query().Get("glpi")}
	if d.GLPI == "" {
		// Default to the version of the account's most recently seen instance.
		if ins, err := h.Store.ListInstances(r.Context(), a.ID); err == nil && len(ins) > 0 {
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
	for _, p := range cat.Plugins {
		d.Plugins = append(d.Plugins, vw.Plugin(p))
	}
	h.render(w, r, http.StatusOK, "marketplace", h.pageFor(w, r, v, a, "market.title", d))
}
