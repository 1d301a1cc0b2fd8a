package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

// Offer requests: a customer's owner or admin asks for a paid offer from
// its card on the offers page; operators grant it (the subscription is
// created with the grant, in one click: from today for a year unless they
// give the last day) or decline it on /operator/requests. The store mails
// the operators and the requester in the transaction of each step.

func (h *Handler) offerRequestRoutes(route func(pattern string, h http.HandlerFunc)) {
	route("POST /offers/{ref}/request", h.userPage(h.handleOfferRequest))
	route("GET /operator/requests", h.operatorPage(h.handleOpRequests))
	route("POST /operator/requests/{id}/grant", h.operatorPage(h.handleOpRequestGrant))
	route("POST /operator/requests/{id}/decline", h.operatorPage(h.handleOpRequestDecline))
}

// addRequestStates fills the request part of the offers page's cards: the
// latest request for each offer, and whether the visitor may ask for it
// (a paid offer above the running one, or the running one when it ends
// within glpinet.RenewalWindow; an active account; an owner or an admin: the ones who
// decide what the account pays for).
func (h *Handler) addRequestStates(ctx context.Context, v visitor, a *glpinet.Account, running *glpinet.Subscription, offers map[string]*glpinet.Offer, cards []offerCard) error {
	reqs, err := h.Store.ListOfferRequests(ctx, glpinet.OfferRequestFilter{AccountID: a.ID})
	if err != nil {
		return err
	}
	mayAsk := a.State == glpinet.AccountActive && service.CanManage(v.user)
	for i := range cards {
		c := &cards[i]
		for _, q := range reqs { // newest first: the first one is the latest
			if q.OfferRef == c.Reference {
				c.Request = q
				break
			}
		}
		pending := c.Request != nil && c.Request.State == glpinet.OfferRequestPending
		c.Requestable = mayAsk && !pending && glpinet.OfferAskable(offers[c.Reference], running, offers, h.Now())
	}
	return nil
}

func (h *Handler) handleOfferRequest(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	link := ""
	if base := h.mailBase(); base != "" {
		link = base + "/operator/requests"
	}
	_, err := h.rules().RequestOffer(h.actor(r, v), v.user, r.PathValue("ref"), r.PostFormValue("message"), link)
	switch {
	case err == nil:
		http.Redirect(w, r, "/offers", http.StatusSeeOther)
	case errors.Is(err, service.ErrNotAskable):
		h.message(w, r, v, http.StatusConflict, "error.title", pt(v.lang, "offers.notaskable"))
	case glpinet.ErrorCode(err) == glpinet.EFORBIDDEN && !service.CanManage(v.user):
		h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.forbidden"))
	default:
		status := map[string]int{glpinet.EINVALID: http.StatusBadRequest, glpinet.ECONFLICT: http.StatusConflict,
			glpinet.EFORBIDDEN: http.StatusForbidden}[glpinet.ErrorCode(err)]
		if status == 0 {
			h.Error(w, r, err)
			return
		}
		h.message(w, r, v, status, "error.title", glpinet.ErrorMessage(err))
	}
}

// opRequestRow is a request as the operators' page shows it.
type opRequestRow struct {
	*glpinet.OfferRequest
	Account    string
	OfferTitle string
	Requester  string // e-mail; "" once the user is gone
}

type opRequestsData struct {
	Pending, Decided []opRequestRow
}

// recentDecided is how many decided requests the operators' page lists
// under the pending ones: enough to see what was just done.
const recentDecided = 20

func (h *Handler) handleOpRequests(w http.ResponseWriter, r *http.Request, v visitor) {
	h.renderOpRequests(w, r, v, http.StatusOK, "", "")
}

func (h *Handler) renderOpRequests(w http.ResponseWriter, r *http.Request, v visitor, status int, flash, errMsg string) {
	ctx := r.Context()
	pending, err := h.Store.ListOfferRequests(ctx, glpinet.OfferRequestFilter{State: glpinet.OfferRequestPending, Limit: 1000})
	if err != nil {
		h.Error(w, r, err)
		return
	}
	var decided []*glpinet.OfferRequest
	for _, st := range []glpinet.OfferRequestState{glpinet.OfferRequestGranted, glpinet.OfferRequestDeclined} {
		ds, err := h.Store.ListOfferRequests(ctx, glpinet.OfferRequestFilter{State: st, Limit: recentDecided})
		if err != nil {
			h.Error(w, r, err)
			return
		}
		decided = append(decided, ds...)
	}
	// Newest decision first, the two states together.
	sortByDecision(decided)
	decided = decided[:min(len(decided), recentDecided)]
	rows := func(qs []*glpinet.OfferRequest) ([]opRequestRow, error) { return h.opRequestRows(ctx, v.lang, qs) }
	var d opRequestsData
	if d.Pending, err = rows(pending); err == nil {
		d.Decided, err = rows(decided)
	}
	if err != nil {
		h.Error(w, r, err)
		return
	}
	h.render(w, r, status, "op_requests", pageData{Lang: v.lang, Title: pt(v.lang, "op.requests"), User: v.user,
		CSRF: h.csrfFor(w, r, v), Flash: flash, Error: errMsg, Data: d})
}

// opRequestRows names each request's account, offer and requester.
func (h *Handler) opRequestRows(ctx context.Context, lang string, qs []*glpinet.OfferRequest) ([]opRequestRow, error) {
	offers := h.offerMap()
	accounts, users := map[int64]string{}, map[int64]string{}
	out := make([]opRequestRow, 0, len(qs))
	for _, q := range qs {
		row := opRequestRow{OfferRequest: q, OfferTitle: q.OfferRef}
		if o := offers[q.OfferRef]; o != nil {
			row.OfferTitle = o.Title(lang)
		}
		name, ok := accounts[q.AccountID]
		if !ok {
			a, err := h.Store.FindAccountByID(ctx, q.AccountID)
			if err != nil {
				return nil, err
			}
			name, accounts[q.AccountID] = a.Name, a.Name
		}
		row.Account = name
		email, ok := users[q.UserID]
		if !ok {
			u, err := h.Store.FindUserByID(ctx, q.UserID)
			if err != nil && glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
				return nil, err
			} else if err == nil {
				email = u.Email
			}
			users[q.UserID] = email
		}
		row.Requester = email
		out = append(out, row)
	}
	return out, nil
}

func (h *Handler) handleOpRequestGrant(w http.ResponseWriter, r *http.Request, v visitor) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	}
	until, hasUntil, err := formDay(r, "until")
	if err != nil {
		h.renderOpRequests(w, r, v, http.StatusBadRequest, "", pt(v.lang, "op.baddate"))
		return
	}
	var last *time.Time
	if hasUntil {
		last = &until
	}
	q, sub, err := h.rules().GrantOfferRequest(h.actor(r, v), id, last)
	if h.opRequestFailed(w, r, v, err) {
		return
	}
	h.renderOpRequests(w, r, v, http.StatusOK, fmt.Sprintf(pt(v.lang, "op.requestgranted"), q.OfferRef, glpinet.LastDay(*sub.End)), "")
}

func (h *Handler) handleOpRequestDecline(w http.ResponseWriter, r *http.Request, v visitor) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	}
	q, err := h.rules().DeclineOfferRequest(h.actor(r, v), id, r.PostFormValue("reason"))
	if h.opRequestFailed(w, r, v, err) {
		return
	}
	h.renderOpRequests(w, r, v, http.StatusOK, fmt.Sprintf(pt(v.lang, "op.requestdeclined"), q.OfferRef), "")
}

// opRequestFailed answers a failed decision, if it failed: the page again
// with the reason for what the operator can act on (another operator
// decided first, a bad period), an error page otherwise.
func (h *Handler) opRequestFailed(w http.ResponseWriter, r *http.Request, v visitor, err error) bool {
	switch glpinet.ErrorCode(err) {
	case "":
		return false
	case glpinet.ENOTFOUND:
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
	case glpinet.ECONFLICT, glpinet.EINVALID:
		h.renderOpRequests(w, r, v, http.StatusConflict, "", glpinet.ErrorMessage(err))
	default:
		h.Error(w, r, err)
	}
	return true
}

// sortByDecision orders decided requests newest decision first.
func sortByDecision(qs []*glpinet.OfferRequest) {
	slices.SortFunc(qs, func(a, b *glpinet.OfferRequest) int { return b.DecidedAt.Compare(*a.DecidedAt) })
}
