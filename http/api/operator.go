package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
)

// operatorOnly writes a 403 unless the caller is an operator.
func (h *Handler) operatorOnly(w http.ResponseWriter, r *http.Request, c caller) bool {
	if !service.IsOperator(c.user) {
		h.fail(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "This endpoint is for operators."))
		return false
	}
	return true
}

// pathID reads an integer path value, writing a 404 when it is not one.
func (h *Handler) pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := httpx.PathID(r, name)
	if err != nil {
		h.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// offerMap returns the offers of the catalogue snapshot.
func (h *Handler) offerMap() map[string]*glpinet.Offer {
	if cat := h.Catalogue.Current(); cat != nil {
		return cat.OfferMap()
	}
	return glpinet.OfferMap(nil)
}

func (h *Handler) accounts(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	p, err := pageOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := service.AccountSearch(r.URL.Query().Get("q"), p)
	// ?offset= is the former way through the list, still understood:
	// rows skipped after the cursor.
	if v := r.URL.Query().Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 {
			h.fail(w, r, glpinet.Errorf(glpinet.EINVALID, "offset is a number of rows to skip, 0 or more; prefer after, the next cursor of the previous page."))
			return
		}
	}
	accounts, next, err := h.Store.FindAccounts(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newPage(p, accounts, next))
}

// accountJSON is an account with what an operator looks at.
type accountJSON struct {
	*glpinet.Account
	Subscriptions []*glpinet.Subscription `json:"subscriptions"`
	Running       *glpinet.Subscription   `json:"running_subscription"`
}

func (h *Handler) account(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	id, ok := h.pathID(w, r, "id")
	if !ok {
		return
	}
	a, err := h.Store.FindAccountByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	subs, err := h.Store.ListSubscriptions(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, accountJSON{Account: a, Subscriptions: subs, Running: glpinet.RunningSubscription(subs, h.offerMap(), h.Now())})
}

func (h *Handler) accountState(state glpinet.AccountState) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		if !h.operatorOnly(w, r, c) {
			return
		}
		id, ok := h.pathID(w, r, "id")
		if !ok {
			return
		}
		if err := h.Store.SetAccountState(actor(r, c), id, state); err != nil {
			h.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// subscriptionInput is the body that grants or changes a subscription.
// Dates are days (YYYY-MM-DD); "until" is the last day included.
type subscriptionInput struct {
	Offer string `json:"offer"`
	From  string `json:"from"`
	Until string `json:"until"`
	State string `json:"state"`
}

func (h *Handler) grant(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	id, ok := h.pathID(w, r, "id")
	if !ok {
		return
	}
	var in subscriptionInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	begin := h.Now().UTC()
	if in.From != "" {
		var err error
		if begin, err = service.ParseDay("from", in.From); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	until, err := service.ParseDay("until", in.Until)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	end := service.EndAfter(until)
	sub := &glpinet.Subscription{AccountID: id, OfferRef: in.Offer, Begin: begin, End: &end}
	if err := h.Store.CreateSubscription(actor(r, c), sub); err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, sub)
}

func (h *Handler) updateSubscription(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	id, ok := h.pathID(w, r, "id")
	if !ok {
		return
	}
	var in subscriptionInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	var end *time.Time
	if in.Until != "" {
		until, err := service.ParseDay("until", in.Until)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		e := service.EndAfter(until)
		end = &e
	}
	state := glpinet.SubscriptionState(in.State)
	if state == "" {
		state = glpinet.SubscriptionActive
	}
	sub, err := h.Store.UpdateSubscription(actor(r, c), id, end, state)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, sub)
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	q := r.URL.Query()
	p, err := pageOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := glpinet.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject"), Page: p}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			h.fail(w, r, glpinet.Errorf(glpinet.EINVALID, "since is an RFC 3339 time, like 2026-01-31T00:00:00Z."))
			return
		}
		f.Since = t
	}
	events, next, err := h.Store.ListAuditEvents(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newPage(p, events, next))
}

func (h *Handler) offers(w http.ResponseWriter, r *http.Request, c caller) {
	offers, err := h.Store.ListOffers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, paginate(r, offers))
}

func (h *Handler) saveOffer(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	var o glpinet.Offer
	if err := decode(r, &o); err != nil {
		h.fail(w, r, err)
		return
	}
	o.Reference = r.PathValue("ref")
	if err := h.Store.SaveOffer(actor(r, c), &o); err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, o)
}
