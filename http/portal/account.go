package portal

import (
	"context"
	"net/http"
	"sort"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
)

// customer returns the visitor's account, or renders a refusal for users
// without one (operators).
func (h *Handler) customer(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Account {
	if v.user.AccountID == 0 {
		h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
		return nil
	}
	a, err := h.Store.FindAccountByID(r.Context(), v.user.AccountID)
	if err != nil {
		h.Error(w, r, err)
		return nil
	}
	return a
}

// pageFor fills what every page of a logged-in customer shows.
func (h *Handler) pageFor(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, titleID string, data any) pageData {
	return pageData{Lang: v.lang, Title: pt(v.lang, titleID), User: v.user, Account: a, CSRF: h.csrfFor(w, r, v),
		CanManage: service.CanManage(v.user), SendsLinks: h.verifiesEmail(), Data: data}
}

// warnBefore is how long before a paid subscription ends the dashboard
// warns about it: the window in which its renewal can be asked for, so
// that the warning's link to the request always leads to a button.
const warnBefore = glpinet.RenewalWindow

type dashboardData struct {
	Running       *glpinet.Subscription
	OfferTitle    string
	EndsSoon      bool
	Subscriptions []*glpinet.Subscription
	// Keys and Instances count the account's keys and instances, "500+"
	// past the largest page (glpinet.MaxPageLimit): a count never reads
	// more than one page.
	Keys      string
	Instances string
	// OfferTitles are the offers' titles in the page's language, by
	// reference: customers see titles, never references.
	OfferTitles map[string]string
	// Ended is the paid subscription that ended last when none runs
	// above the free offer (glpinet.LastEnded), EndedTitle its offer's
	// title: the dashboard links to its renewal request.
	Ended      *glpinet.Subscription
	EndedTitle string
}

func (h *Handler) handleDashboard(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	ctx := r.Context()
	subs, err := h.Store.ListSubscriptions(ctx, a.ID)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	most := glpinet.Page{Limit: glpinet.MaxPageLimit}
	keys, moreKeys, err := h.Store.ListKeys(ctx, a.ID, most)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	instances, moreInstances, err := h.Store.ListInstances(ctx, a.ID, most)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	offers := h.offerMap()
	now := h.Now()
	d := dashboardData{Subscriptions: subs, Keys: pageCount(len(keys), moreKeys), Instances: pageCount(len(instances), moreInstances), OfferTitles: offerTitles(offers, v.lang)}
	if d.Running = glpinet.RunningSubscription(subs, offers, now); d.Running != nil {
		o := offers[d.Running.OfferRef]
		d.OfferTitle = o.Title(v.lang)
		d.EndsSoon = o.Level > 0 && d.Running.End != nil && d.Running.End.Sub(now) <= warnBefore
	}
	level := 0
	if d.Running != nil {
		level = offers[d.Running.OfferRef].Level
	}
	if d.Ended = glpinet.LastEnded(subs, offers, level, now); d.Ended != nil {
		d.EndedTitle = offers[d.Ended.OfferRef].Title(v.lang)
	}
	h.render(w, r, http.StatusOK, "dashboard", h.pageFor(w, r, v, a, "dashboard.title", d))
}

// rules are the service's rules, applied to the store.
func (h *Handler) rules() *service.Service { return service.New(h.Store, h.Now) }

// offerTitles returns the offers' titles in lang by reference.
func offerTitles(offers map[string]*glpinet.Offer, lang string) map[string]string {
	out := make(map[string]string, len(offers))
	for ref, o := range offers {
		out[ref] = o.Title(lang)
	}
	return out
}

// offerMap returns the offers of the catalogue snapshot.
func (h *Handler) offerMap() map[string]*glpinet.Offer {
	if cat := h.Catalogue.Current(); cat != nil {
		return cat.OfferMap()
	}
	return glpinet.OfferMap(nil)
}

type keysData struct {
	Keys       []*glpinet.RegistrationKey
	Pager      pager
	NewKey     string
	GraceUntil string
}

func (h *Handler) handleKeysPage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	h.renderKeys(w, r, v, a, keysData{}, "")
}

func (h *Handler) renderKeys(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, d keysData, flash string) {
	pg := listPage(r)
	keys, next, err := h.Store.ListKeys(r.Context(), a.ID, pg)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	d.Keys, d.Pager = keys, pagerFor(r, v.lang, "/keys", pg, next)
	p := h.pageFor(w, r, v, a, "keys.title", d)
	p.Flash = flash
	h.render(w, r, http.StatusOK, "keys", p)
}

// manager returns the account if the visitor may change its keys, else
// renders a refusal.
func (h *Handler) manager(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Account {
	a := h.customer(w, r, v)
	if a != nil && !service.CanManage(v.user) {
		h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
		return nil
	}
	return a
}

// accountKey returns the key of the path's {id} if it belongs to account
// a; another account's key is "not found", never "forbidden", so that IDs
// reveal nothing.
func (h *Handler) accountKey(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account) *glpinet.RegistrationKey {
	k, err := h.rules().AccountKey(r.Context(), a.ID, r.PathValue("id"))
	if err != nil {
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return nil
	}
	return k
}

func (h *Handler) handleKeyGenerate(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.manager(w, r, v)
	if a == nil {
		return
	}
	k, err := h.rules().IssueKey(h.actor(r, v), v.user, a.ID, r.PostFormValue("label"))
	if err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINVALID || code == glpinet.EFORBIDDEN {
			// A label too long, a suspended account: said on the page.
			h.message(w, r, v, httpx.ErrorStatus(code), "error.title", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	h.renderKeys(w, r, v, a, keysData{NewKey: k.Key}, "")
}

func (h *Handler) handleKeyRotate(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.manager(w, r, v)
	if a == nil {
		return
	}
	old := h.accountKey(w, r, v, a)
	if old == nil {
		return
	}
	next, err := h.rules().RotateKey(h.actor(r, v), v.user, old.ID, glpinet.DefaultRotationGrace)
	if err != nil {
		if glpinet.ErrorCode(err) == glpinet.ECONFLICT {
			h.renderKeys(w, r, v, a, keysData{}, glpinet.ErrorMessage(err))
			return
		}
		if glpinet.ErrorCode(err) == glpinet.EFORBIDDEN {
			h.message(w, r, v, http.StatusForbidden, "error.title", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	h.renderKeys(w, r, v, a, keysData{NewKey: next.Key, GraceUntil: next.OldKeyValidUntil.Format("2006-01-02 15:04 UTC")}, "")
}

func (h *Handler) handleKeyRevoke(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.manager(w, r, v)
	if a == nil {
		return
	}
	k := h.accountKey(w, r, v, a)
	if k == nil {
		return
	}
	if err := h.rules().RevokeKey(h.actor(r, v), k.ID); err != nil && glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		h.Error(w, r, err)
		return
	}
	h.renderKeys(w, r, v, a, keysData{}, pt(v.lang, "keys.revokedflash"))
}

// actor attributes the request's changes to the logged-in user.
func (h *Handler) actor(r *http.Request, v visitor) context.Context {
	return glpinet.WithActor(r.Context(), glpinet.UserActor(v.user))
}

func (h *Handler) handleInstances(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	pg := listPage(r)
	ins, next, err := h.Store.ListInstances(r.Context(), a.ID, pg)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	// The keys of this page's instances only: the account's keys may be
	// many more than a page.
	prefixes := map[int64]string{}
	rows := make([]instanceRow, len(ins))
	for i, in := range ins {
		if _, ok := prefixes[in.KeyID]; !ok {
			k, err := h.Store.FindKeyByID(r.Context(), in.KeyID)
			if err != nil {
				h.Error(w, r, err)
				return
			}
			prefixes[in.KeyID] = k.Prefix
		}
		rows[i] = instanceRow{Instance: in, KeyPrefix: prefixes[in.KeyID]}
	}
	d := instancesData{Rows: rows, Pager: pagerFor(r, v.lang, "/instances", pg, next)}
	h.render(w, r, http.StatusOK, "instances", h.pageFor(w, r, v, a, "instances.title", d))
}

// instancesData is a page of the instances list.
type instancesData struct {
	Rows  []instanceRow
	Pager pager
}

// instanceRow is an instance with the display prefix of its key.
type instanceRow struct {
	*glpinet.Instance
	KeyPrefix string
}

type offerCard struct {
	Title   string
	Current bool
	// Reference, Price and Description are the offer's, in the page's
	// language; Request is the account's latest request for it (nil for
	// none), Requestable whether the visitor may ask for it now
	// (addRequestStates).
	Reference, Price, Description string
	Request                       *glpinet.OfferRequest
	Requestable                   bool
	// Plugins is how many plugins the offer can download (at least one
	// version), Gated the names of those among them that need an offer.
	Plugins int
	Gated   []string
}

// handleOffersPage compares the offers: how many plugins each unlocks, by
// the rule GLPI's marketplace gives download links by
// (glpinet.Version.Unlocked), and which of them need an offer.
func (h *Handler) handleOffersPage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	subs, err := h.Store.ListSubscriptions(r.Context(), a.ID)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	cat := h.Catalogue.Current()
	if cat == nil {
		h.Error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "The catalogue is not loaded yet."))
		return
	}
	offers := cat.OfferMap()
	running := glpinet.RunningSubscription(subs, offers, h.Now())
	var cards []offerCard
	for _, o := range cat.Offers {
		c := offerCard{Title: o.Title(v.lang), Current: running != nil && running.OfferRef == o.Reference,
			Reference: o.Reference, Price: o.Price(v.lang), Description: o.Description(v.lang)}
		for _, p := range cat.Plugins {
			if unlocked, gated := unlocks(p, o.Level, offers); unlocked {
				c.Plugins++
				if gated {
					c.Gated = append(c.Gated, p.Name)
				}
			}
		}
		sort.Strings(c.Gated)
		cards = append(cards, c)
	}
	if err := h.addRequestStates(r.Context(), v, a, running, offers, cards); err != nil {
		h.Error(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "offers", h.pageFor(w, r, v, a, "offers.title", cards))
}

// unlocks reports whether an offer of level may download a version of p
// (one not withdrawn), and whether every such version needs an offer.
func unlocks(p *glpinet.Plugin, level int, offers map[string]*glpinet.Offer) (unlocked, gated bool) {
	gated = true
	for _, ver := range p.Versions {
		if ver.Yanked || !ver.Unlocked(level, offers) {
			continue
		}
		unlocked = true
		if len(ver.RequiredOffers) == 0 {
			gated = false
		}
	}
	return unlocked, unlocked && gated
}
