package http

import (
	"net/http"

	"github.com/glpinet/glpinet"
)

type marketplaceData struct {
	GLPI    string
	Plugins []pluginJSON
}

// handleMarketplacePage shows the catalogue as the account's GLPI would
// see it: the versions its GLPI version can run, and download links only
// where its running offer suffices (the same rules as the GLPI API).
func (s *Server) handleMarketplacePage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.customer(w, r, v)
	if a == nil {
		return
	}
	cat := s.Catalogue.Current()
	if cat == nil {
		s.Error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "The catalogue is not loaded yet."))
		return
	}
	d := marketplaceData{GLPI: r.URL.Query().Get("glpi")}
	if d.GLPI == "" {
		// Default to the version of the account's most recently seen instance.
		if ins, err := s.Store.ListInstances(r.Context(), a.ID); err == nil && len(ins) > 0 {
			d.GLPI = ins[0].GLPIVersion
		}
	}
	glpi := glpinet.ParseUserAgent("GLPI/" + d.GLPI).GLPIVersion
	subs, err := s.Store.ListSubscriptions(r.Context(), a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	offers := cat.OfferMap()
	level := -1
	if a.State == glpinet.AccountActive {
		if run := glpinet.RunningSubscription(subs, offers, s.Now()); run != nil {
			level = offers[run.OfferRef].Level
		}
	}
	vw, visible := s.pages.viewOf(cat, glpi, view{gen: cat.Generation, level: level, urlRoot: s.urlRoot(r)})
	for _, p := range cat.Plugins {
		d.Plugins = append(d.Plugins, pluginFor(p, cat.Offers, offers, vw, visible))
	}
	s.render(w, r, http.StatusOK, "marketplace", s.pageFor(w, r, v, a, "market.title", d))
}
