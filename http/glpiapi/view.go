package glpiapi

import "github.com/glpinet/glpinet"

// View is the catalogue as one GLPI sees it through the marketplace: the
// versions its GLPI version can run, and download links where its offer
// level suffices. The portal shows an account the same list with it.
type View struct {
	cat     *glpinet.Catalogue
	offers  map[string]*glpinet.Offer
	v       view
	visible func(constraint string) bool
}

// View returns the view of cat for a GLPI version ("" : every version
// shown) and an offer level (-1: none), with download links under urlRoot
// (see URLRoot).
func (h *Handler) View(cat *glpinet.Catalogue, glpi string, level int, urlRoot string) View {
	v, visible := h.pages.viewOf(cat, glpi, view{gen: cat.Generation, level: level, urlRoot: urlRoot})
	return View{cat: cat, offers: cat.OfferMap(), v: v, visible: visible}
}

// Plugin returns p as the view lists it.
func (v View) Plugin(p *glpinet.Plugin) Plugin {
	return pluginFor(p, v.cat.Offers, v.offers, v.v, v.visible)
}
