package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

// operatorPage wraps a handler for operators only; anybody else gets a
// refusal (customers must never reach another account's data).
func (s *Server) operatorPage(fn func(w http.ResponseWriter, r *http.Request, v visitor)) http.HandlerFunc {
	return s.userPage(func(w http.ResponseWriter, r *http.Request, v visitor) {
		if !service.IsOperator(v.user) {
			s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
			return
		}
		fn(w, r, v)
	})
}

// operatorPageOnly checks that the visitor is a logged-in operator and
// nothing else: the handler reads the body and checks its CSRF token
// itself (uploads, see uploadPage).
func (s *Server) operatorPageOnly(fn func(w http.ResponseWriter, r *http.Request, v visitor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := s.visitorOf(w, r)
		if v.user == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		if !service.IsOperator(v.user) {
			s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
			return
		}
		fn(w, r, v)
	}
}

func (s *Server) operatorRoutes(mux *http.ServeMux) {
	s.route(mux, "GET /operator", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/operator/accounts", http.StatusSeeOther)
	})
	s.route(mux, "GET /operator/accounts", s.operatorPage(s.handleOpAccounts))
	s.route(mux, "GET /operator/accounts/{id}", s.operatorPage(s.handleOpAccount))
	s.route(mux, "POST /operator/accounts/{id}/state", s.operatorPage(s.handleOpAccountState))
	s.route(mux, "POST /operator/accounts/{id}/subscriptions", s.operatorPage(s.handleOpGrant))
	s.route(mux, "POST /operator/subscriptions/{id}", s.operatorPage(s.handleOpSubscription))
	s.route(mux, "GET /operator/audit", s.operatorPage(s.handleOpAudit))
	s.route(mux, "GET /operator/offers", s.operatorPage(s.handleOpOffers))
	s.route(mux, "POST /operator/offers", s.operatorPage(s.handleOpSaveOffer))
	s.route(mux, "POST /operator/offers/{ref}", s.operatorPage(s.handleOpSaveOffer))
	s.route(mux, "POST /operator/tags/{key}", s.operatorPage(s.handleOpSaveTag))
	s.route(mux, "GET /operator/plugins", s.operatorPage(s.handleOpPlugins))
	s.route(mux, "POST /operator/plugins", s.uploadPage(s.handleOpUpload))
	s.route(mux, "GET /operator/plugins/{key}", s.operatorPage(s.handleOpPlugin))
	s.route(mux, "POST /operator/plugins/{key}", s.operatorPage(s.handleOpPluginEdit))
	s.route(mux, "POST /operator/plugins/{key}/versions/{version}/yank", s.operatorPage(s.handleOpYank))
}

type opAccountRow struct {
	Account *glpinet.Account
	Offer   string
}

type opAccountsData struct {
	Query string
	Total int
	Rows  []opAccountRow
}

func (s *Server) handleOpAccounts(w http.ResponseWriter, r *http.Request, v visitor) {
	f := service.AccountSearch(r.URL.Query().Get("q"), 100)
	accounts, total, err := s.Store.FindAccounts(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	offers, now := s.offerMap(), s.Now()
	d := opAccountsData{Total: total}
	if f.Name != nil {
		d.Query = *f.Name
	}
	for _, a := range accounts {
		row := opAccountRow{Account: a}
		if subs, err := s.Store.ListSubscriptions(r.Context(), a.ID); err == nil {
			if run := glpinet.RunningSubscription(subs, offers, now); run != nil {
				row.Offer = run.OfferRef
			}
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, http.StatusOK, "op_accounts", pageData{Lang: v.lang, Title: pt(v.lang, "op.accounts"), User: v.user, CSRF: s.csrfFor(w, r, v), Data: d})
}

type opAccountData struct {
	Account       *glpinet.Account
	Subscriptions []*glpinet.Subscription
	Users         []*glpinet.User
	Keys          []*glpinet.RegistrationKey
	Instances     []*glpinet.Instance
	Offers        []*glpinet.Offer
}

// opAccount reads the path's account, or renders a 404.
func (s *Server) opAccount(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Account {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var a *glpinet.Account
	if err == nil {
		a, err = s.Store.FindAccountByID(r.Context(), id)
	}
	if err != nil {
		s.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return nil
	}
	return a
}

func (s *Server) handleOpAccount(w http.ResponseWriter, r *http.Request, v visitor) {
	if a := s.opAccount(w, r, v); a != nil {
		s.renderOpAccount(w, r, v, a, "", "")
	}
}

func (s *Server) renderOpAccount(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, flash, errMsg string) {
	ctx := r.Context()
	d := opAccountData{Account: a}
	var err error
	if d.Subscriptions, err = s.Store.ListSubscriptions(ctx, a.ID); err == nil {
		if d.Users, err = s.Store.ListUsers(ctx, a.ID); err == nil {
			if d.Keys, err = s.Store.ListKeys(ctx, a.ID); err == nil {
				if d.Instances, err = s.Store.ListInstances(ctx, a.ID); err == nil {
					d.Offers, err = s.Store.ListOffers(ctx)
				}
			}
		}
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "op_account", pageData{Lang: v.lang, Title: a.Name, User: v.user, CSRF: s.csrfFor(w, r, v), Flash: flash, Error: errMsg, Data: d})
}

func (s *Server) handleOpAccountState(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.opAccount(w, r, v)
	if a == nil {
		return
	}
	state := glpinet.AccountState(r.PostFormValue("state"))
	if err := s.Store.SetAccountState(s.actor(r, v), a.ID, state); err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			s.renderOpAccount(w, r, v, a, "", glpinet.ErrorMessage(err))
			return
		}
		s.Error(w, r, err)
		return
	}
	a.State = state
	s.renderOpAccount(w, r, v, a, "", "")
}

// formDay reads a YYYY-MM-DD form field as the start of that day, UTC.
func formDay(r *http.Request, name string) (time.Time, bool, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return time.Time{}, false, nil
	}
	t, err := service.ParseDay(name, v)
	return t, true, err
}

func (s *Server) handleOpGrant(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.opAccount(w, r, v)
	if a == nil {
		return
	}
	from, hasFrom, err1 := formDay(r, "from")
	until, hasUntil, err2 := formDay(r, "until")
	if err1 != nil || err2 != nil || !hasUntil {
		s.renderOpAccount(w, r, v, a, "", pt(v.lang, "op.baddate"))
		return
	}
	if !hasFrom {
		from = s.Now().UTC()
	}
	end := service.EndAfter(until)
	sub := &glpinet.Subscription{AccountID: a.ID, OfferRef: r.PostFormValue("offer"), Begin: from, End: &end}
	if err := s.Store.CreateSubscription(s.actor(r, v), sub); err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			s.renderOpAccount(w, r, v, a, "", glpinet.ErrorMessage(err))
			return
		}
		s.Error(w, r, err)
		return
	}
	s.renderOpAccount(w, r, v, a, "", "")
}

// handleOpSubscription changes a subscription's last day and state:
// extending, ending early or suspending it.
func (s *Server) handleOpSubscription(w http.ResponseWriter, r *http.Request, v visitor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	until, hasUntil, err := formDay(r, "until")
	if err != nil {
		s.message(w, r, v, http.StatusBadRequest, "error.title", pt(v.lang, "op.baddate"))
		return
	}
	var end *time.Time
	if hasUntil {
		e := service.EndAfter(until)
		end = &e
	}
	sub, err := s.Store.UpdateSubscription(s.actor(r, v), id, end, glpinet.SubscriptionState(r.PostFormValue("state")))
	switch glpinet.ErrorCode(err) {
	case "":
	case glpinet.ENOTFOUND:
		s.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	case glpinet.EINVALID:
		s.message(w, r, v, http.StatusBadRequest, "error.title", glpinet.ErrorMessage(err))
		return
	default:
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator/accounts/"+strconv.FormatInt(sub.AccountID, 10), http.StatusSeeOther)
}

type opAuditData struct {
	Filter glpinet.AuditFilter
	Since  string
	Events []*glpinet.AuditEvent
}

func (s *Server) handleOpAudit(w http.ResponseWriter, r *http.Request, v visitor) {
	q := r.URL.Query()
	d := opAuditData{Filter: glpinet.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject"), Limit: 200}, Since: q.Get("since")}
	if t, err := time.Parse(time.DateOnly, d.Since); err == nil {
		d.Filter.Since = t
	}
	var err error
	if d.Events, err = s.Store.ListAuditEvents(r.Context(), d.Filter); err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "op_audit", pageData{Lang: v.lang, Title: pt(v.lang, "op.audit"), User: v.user, CSRF: s.csrfFor(w, r, v), Data: d})
}
