package portal

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
func (h *Handler) operatorPage(fn func(w http.ResponseWriter, r *http.Request, v visitor)) http.HandlerFunc {
	return h.userPage(func(w http.ResponseWriter, r *http.Request, v visitor) {
		if !service.IsOperator(v.user) {
			h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
			return
		}
		fn(w, r, v)
	})
}

// operatorPageOnly checks that the visitor is a logged-in operator and
// nothing else: the handler reads the body and checks its CSRF token
// itself (uploads, see uploadPage).
func (h *Handler) operatorPageOnly(fn func(w http.ResponseWriter, r *http.Request, v visitor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := h.visitorOf(w, r)
		if v.user == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		if !service.IsOperator(v.user) {
			h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
			return
		}
		fn(w, r, v)
	}
}

func (h *Handler) operatorRoutes(route func(pattern string, h http.HandlerFunc)) {
	route("GET /operator", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/operator/accounts", http.StatusSeeOther)
	})
	route("GET /operator/accounts", h.operatorPage(h.handleOpAccounts))
	route("GET /operator/accounts/{id}", h.operatorPage(h.handleOpAccount))
	route("POST /operator/accounts/{id}/state", h.operatorPage(h.handleOpAccountState))
	route("POST /operator/accounts/{id}/subscriptions", h.operatorPage(h.handleOpGrant))
	route("POST /operator/subscriptions/{id}", h.operatorPage(h.handleOpSubscription))
	route("GET /operator/audit", h.operatorPage(h.handleOpAudit))
	route("GET /operator/offers", h.operatorPage(h.handleOpOffers))
	route("POST /operator/offers", h.operatorPage(h.handleOpSaveOffer))
	route("POST /operator/offers/{ref}", h.operatorPage(h.handleOpSaveOffer))
	route("POST /operator/tags/{key}", h.operatorPage(h.handleOpSaveTag))
	route("GET /operator/plugins", h.operatorPage(h.handleOpPlugins))
	route("POST /operator/plugins", h.uploadPage(h.handleOpUpload))
	route("GET /operator/plugins/{key}", h.operatorPage(h.handleOpPlugin))
	route("POST /operator/plugins/{key}", h.operatorPage(h.handleOpPluginEdit))
	route("POST /operator/plugins/{key}/versions/{version}/yank", h.operatorPage(h.handleOpYank))
}

type opAccountRow struct {
	Account    *glpinet.Account
	Offer      string // the running offer's reference
	OfferTitle string
}

type opAccountsData struct {
	Query string
	// Total counts the accounts found when they fit on one page, the
	// first (counting past a page would read every page); 0 otherwise.
	Total int
	Rows  []opAccountRow
	Pager pager
}

func (h *Handler) handleOpAccounts(w http.ResponseWriter, r *http.Request, v visitor) {
	pg := listPage(r)
	f := service.AccountSearch(r.URL.Query().Get("q"), pg)
	accounts, next, err := h.Store.FindAccounts(r.Context(), f)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	offers, now := h.offerMap(), h.Now()
	d := opAccountsData{Pager: pagerFor(r, v.lang, "/operator/accounts", pg, next)}
	if pg.After == "" && next == "" {
		d.Total = len(accounts)
	}
	if f.Name != nil {
		d.Query = *f.Name
	}
	for _, a := range accounts {
		row := opAccountRow{Account: a}
		if subs, err := h.Store.ListSubscriptions(r.Context(), a.ID); err == nil {
			if run := glpinet.RunningSubscription(subs, offers, now); run != nil {
				row.Offer = run.OfferRef
				if o := offers[run.OfferRef]; o != nil {
					row.OfferTitle = o.Title(v.lang)
				}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	h.render(w, r, http.StatusOK, "op_accounts", pageData{Lang: v.lang, Title: pt(v.lang, "op.accounts"), User: v.user, CSRF: h.csrfFor(w, r, v), Data: d})
}

type opAccountData struct {
	Account       *glpinet.Account
	Subscriptions []*glpinet.Subscription
	// Users, Keys and Instances are the first page of each list (the
	// members page pages through the users); More* say that more follow.
	Users         []*glpinet.User
	Keys          []*glpinet.RegistrationKey
	Instances     []*glpinet.Instance
	MoreUsers     bool
	MoreKeys      bool
	MoreInstances bool
	Offers        []*glpinet.Offer
	// OfferTitles are the offers' titles in the page's language, by
	// reference.
	OfferTitles map[string]string
}

// opAccount reads the path's account, or renders a 404.
func (h *Handler) opAccount(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Account {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var a *glpinet.Account
	if err == nil {
		a, err = h.Store.FindAccountByID(r.Context(), id)
	}
	if err != nil {
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return nil
	}
	return a
}

func (h *Handler) handleOpAccount(w http.ResponseWriter, r *http.Request, v visitor) {
	if a := h.opAccount(w, r, v); a != nil {
		h.renderOpAccount(w, r, v, a, "", "")
	}
}

func (h *Handler) renderOpAccount(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, flash, errMsg string) {
	ctx := r.Context()
	d := opAccountData{Account: a}
	var err error
	var users, keys, instances string // next cursors
	first := glpinet.Page{}
	if d.Subscriptions, err = h.Store.ListSubscriptions(ctx, a.ID); err == nil {
		if d.Users, users, err = h.Store.ListUsers(ctx, a.ID, first); err == nil {
			if d.Keys, keys, err = h.Store.ListKeys(ctx, a.ID, first); err == nil {
				if d.Instances, instances, err = h.Store.ListInstances(ctx, a.ID, first); err == nil {
					d.Offers, err = h.Store.ListOffers(ctx)
				}
			}
		}
	}
	d.MoreUsers, d.MoreKeys, d.MoreInstances = users != "", keys != "", instances != ""
	if err != nil {
		h.Error(w, r, err)
		return
	}
	d.OfferTitles = offerTitles(glpinet.OfferMap(d.Offers), v.lang)
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "op_account", pageData{Lang: v.lang, Title: a.Name, User: v.user, CSRF: h.csrfFor(w, r, v), Flash: flash, Error: errMsg, Data: d})
}

func (h *Handler) handleOpAccountState(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.opAccount(w, r, v)
	if a == nil {
		return
	}
	state := glpinet.AccountState(r.PostFormValue("state"))
	if err := h.Store.SetAccountState(h.actor(r, v), a.ID, state); err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			h.renderOpAccount(w, r, v, a, "", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	a.State = state
	h.renderOpAccount(w, r, v, a, "", "")
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

func (h *Handler) handleOpGrant(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.opAccount(w, r, v)
	if a == nil {
		return
	}
	from, hasFrom, err1 := formDay(r, "from")
	until, hasUntil, err2 := formDay(r, "until")
	if err1 != nil || err2 != nil || !hasUntil {
		h.renderOpAccount(w, r, v, a, "", pt(v.lang, "op.baddate"))
		return
	}
	if !hasFrom {
		from = h.Now().UTC()
	}
	end := service.EndAfter(until)
	sub := &glpinet.Subscription{AccountID: a.ID, OfferRef: r.PostFormValue("offer"), Begin: from, End: &end}
	if err := h.Store.CreateSubscription(h.actor(r, v), sub); err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			h.renderOpAccount(w, r, v, a, "", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	h.renderOpAccount(w, r, v, a, "", "")
}

// handleOpSubscription changes a subscription's last day and state:
// extending, ending early or suspending it.
func (h *Handler) handleOpSubscription(w http.ResponseWriter, r *http.Request, v visitor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	until, hasUntil, err := formDay(r, "until")
	if err != nil {
		h.message(w, r, v, http.StatusBadRequest, "error.title", pt(v.lang, "op.baddate"))
		return
	}
	var end *time.Time
	if hasUntil {
		e := service.EndAfter(until)
		end = &e
	}
	sub, err := h.Store.UpdateSubscription(h.actor(r, v), id, end, glpinet.SubscriptionState(r.PostFormValue("state")))
	switch glpinet.ErrorCode(err) {
	case "":
	case glpinet.ENOTFOUND:
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	case glpinet.EINVALID:
		h.message(w, r, v, http.StatusBadRequest, "error.title", glpinet.ErrorMessage(err))
		return
	default:
		h.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator/accounts/"+strconv.FormatInt(sub.AccountID, 10), http.StatusSeeOther)
}

type opAuditData struct {
	Filter glpinet.AuditFilter
	Since  string
	Events []*glpinet.AuditEvent
	Pager  pager
}

func (h *Handler) handleOpAudit(w http.ResponseWriter, r *http.Request, v visitor) {
	q := r.URL.Query()
	d := opAuditData{Filter: glpinet.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject"), Page: listPage(r)}, Since: q.Get("since")}
	if t, err := time.Parse(time.DateOnly, d.Since); err == nil {
		d.Filter.Since = t
	}
	var next string
	var err error
	if d.Events, next, err = h.Store.ListAuditEvents(r.Context(), d.Filter); err != nil {
		h.Error(w, r, err)
		return
	}
	d.Pager = pagerFor(r, v.lang, "/operator/audit", d.Filter.Page, next)
	h.render(w, r, http.StatusOK, "op_audit", pageData{Lang: v.lang, Title: pt(v.lang, "op.audit"), User: v.user, CSRF: h.csrfFor(w, r, v), Data: d})
}
