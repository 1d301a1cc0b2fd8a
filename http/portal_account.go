package http

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

// customer returns the visitor's account, or renders a refusal for users
// without one (operators).
func (s *Server) customer(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Account {
	if v.user.AccountID == 0 {
		s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
		return nil
	}
	a, err := s.Store.FindAccountByID(r.Context(), v.user.AccountID)
	if err != nil {
		s.Error(w, r, err)
		return nil
	}
	return a
}

// pageFor fills what every page of a logged-in customer shows.
func (s *Server) pageFor(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, titleID string, data any) pageData {
	return pageData{Lang: v.lang, Title: pt(v.lang, titleID), User: v.user, Account: a, CSRF: s.csrfFor(w, r, v),
		CanManage: service.CanManage(v.user), Data: data}
}

// warnBefore is how long before a paid subscription ends the dashboard
// warns about it.
const warnBefore = 30 * 24 * time.Hour

type dashboardData struct {
	Running       *glpinet.Subscription
	OfferTitle    string
	EndsSoon      bool
	Subscriptions []*glpinet.Subscription
	Keys          int
	Instances     int
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.customer(w, r, v)
	if a == nil {
		return
	}
	ctx := r.Context()
	subs, err := s.Store.ListSubscriptions(ctx, a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	keys, err := s.Store.ListKeys(ctx, a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	instances, err := s.Store.ListInstances(ctx, a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	offers := s.offerMap()
	now := s.Now()
	d := dashboardData{Subscriptions: subs, Keys: len(keys), Instances: len(instances)}
	if d.Running = glpinet.RunningSubscription(subs, offers, now); d.Running != nil {
		o := offers[d.Running.OfferRef]
		d.OfferTitle = o.Title(v.lang)
		d.EndsSoon = o.Level > 0 && d.Running.End != nil && d.Running.End.Sub(now) <= warnBefore
	}
	s.render(w, r, http.StatusOK, "dashboard", s.pageFor(w, r, v, a, "dashboard.title", d))
}

// offerMap returns the offers of the catalogue snapshot.
func (s *Server) offerMap() map[string]*glpinet.Offer {
	if cat := s.Catalogue.Current(); cat != nil {
		return cat.OfferMap()
	}
	return glpinet.OfferMap(nil)
}

type keysData struct {
	Keys       []*glpinet.RegistrationKey
	NewKey     string
	GraceUntil string
}

func (s *Server) handleKeysPage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.customer(w, r, v)
	if a == nil {
		return
	}
	s.renderKeys(w, r, v, a, keysData{}, "")
}

func (s *Server) renderKeys(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, d keysData, flash string) {
	keys, err := s.Store.ListKeys(r.Context(), a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	d.Keys = keys
	p := s.pageFor(w, r, v, a, "keys.title", d)
	p.Flash = flash
	s.render(w, r, http.StatusOK, "keys", p)
}

// manager returns the account if the visitor may change its keys, else
// renders a refusal.
func (s *Server) manager(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Account {
	a := s.customer(w, r, v)
	if a != nil && !service.CanManage(v.user) {
		s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
		return nil
	}
	return a
}

// accountKey returns the key of the path's {id} if it belongs to account
// a; another account's key is "not found", never "forbidden", so that IDs
// reveal nothing.
func (s *Server) accountKey(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account) *glpinet.RegistrationKey {
	k, err := s.rules().AccountKey(r.Context(), a.ID, r.PathValue("id"))
	if err != nil {
		s.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return nil
	}
	return k
}

func (s *Server) handleKeyGenerate(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.manager(w, r, v)
	if a == nil {
		return
	}
	k, err := s.rules().IssueKey(s.actor(r, v), a.ID, r.PostFormValue("label"))
	if err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINVALID || code == glpinet.EFORBIDDEN {
			// A label too long, a suspended account: said on the page.
			s.message(w, r, v, ErrorStatus(code), "error.title", glpinet.ErrorMessage(err))
			return
		}
		s.Error(w, r, err)
		return
	}
	s.renderKeys(w, r, v, a, keysData{NewKey: k.Key}, "")
}

func (s *Server) handleKeyRotate(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.manager(w, r, v)
	if a == nil {
		return
	}
	old := s.accountKey(w, r, v, a)
	if old == nil {
		return
	}
	next, err := s.rules().RotateKey(s.actor(r, v), old.ID, glpinet.DefaultRotationGrace)
	if err != nil {
		if glpinet.ErrorCode(err) == glpinet.ECONFLICT {
			s.renderKeys(w, r, v, a, keysData{}, glpinet.ErrorMessage(err))
			return
		}
		if glpinet.ErrorCode(err) == glpinet.EFORBIDDEN {
			s.message(w, r, v, http.StatusForbidden, "error.title", glpinet.ErrorMessage(err))
			return
		}
		s.Error(w, r, err)
		return
	}
	s.renderKeys(w, r, v, a, keysData{NewKey: next.Key, GraceUntil: next.OldKeyValidUntil.Format("2006-01-02 15:04 UTC")}, "")
}

func (s *Server) handleKeyRevoke(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.manager(w, r, v)
	if a == nil {
		return
	}
	k := s.accountKey(w, r, v, a)
	if k == nil {
		return
	}
	if err := s.rules().RevokeKey(s.actor(r, v), k.ID); err != nil && glpinet.ErrorCode(err) != glpinet.ECONFLICT {
		s.Error(w, r, err)
		return
	}
	s.renderKeys(w, r, v, a, keysData{}, pt(v.lang, "keys.revokedflash"))
}

// actor attributes the request's changes to the logged-in user.
func (s *Server) actor(r *http.Request, v visitor) context.Context {
	return glpinet.WithActor(r.Context(), glpinet.UserSubject(v.user.ID))
}

func (s *Server) handleInstances(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.customer(w, r, v)
	if a == nil {
		return
	}
	ins, err := s.Store.ListInstances(r.Context(), a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	keys, err := s.Store.ListKeys(r.Context(), a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	prefixes := map[int64]string{}
	for _, k := range keys {
		prefixes[k.ID] = k.Prefix
	}
	rows := make([]instanceRow, len(ins))
	for i, in := range ins {
		rows[i] = instanceRow{Instance: in, KeyPrefix: prefixes[in.KeyID]}
	}
	s.render(w, r, http.StatusOK, "instances", s.pageFor(w, r, v, a, "instances.title", rows))
}

// instanceRow is an instance with the display prefix of its key.
type instanceRow struct {
	*glpinet.Instance
	KeyPrefix string
}

type offerCard struct {
	Title   string
	Current bool
	Plugins []string
}

// handleOffersPage compares the offers and lists the plugins each unlocks
// (those whose newest version requires an offer it includes).
func (s *Server) handleOffersPage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.customer(w, r, v)
	if a == nil {
		return
	}
	subs, err := s.Store.ListSubscriptions(r.Context(), a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	cat := s.Catalogue.Current()
	if cat == nil {
		s.Error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "The catalogue is not loaded yet."))
		return
	}
	offers := cat.OfferMap()
	running := glpinet.RunningSubscription(subs, offers, s.Now())
	var cards []offerCard
	for _, o := range cat.Offers {
		c := offerCard{Title: o.Title(v.lang), Current: running != nil && running.OfferRef == o.Reference}
		for _, p := range cat.Plugins {
			if gated := gatedPluginLevel(p, offers); gated >= 0 && gated <= o.Level {
				c.Plugins = append(c.Plugins, p.Name)
			}
		}
		sort.Strings(c.Plugins)
		cards = append(cards, c)
	}
	s.render(w, r, http.StatusOK, "offers", s.pageFor(w, r, v, a, "offers.title", cards))
}

// gatedPluginLevel returns the lowest offer level that unlocks a plugin's
// gated versions, or -1 when none of its versions is gated.
func gatedPluginLevel(p *glpinet.Plugin, offers map[string]*glpinet.Offer) int {
	level := -1
	for _, ver := range p.Versions {
		if len(ver.RequiredOffers) == 0 || ver.Yanked {
			continue
		}
		if l := glpinet.MinLevel(ver.RequiredOffers, offers); level < 0 || l < level {
			level = l
		}
	}
	return level
}
