package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
)

// Offer requests: a customer's token lists its account's requests and,
// for owners and admins, asks for an offer; an operator's token lists
// every account's (?state=pending, ?account=ID) and grants or declines
// them. The rules are the service's, as the portal's.

func (h *Handler) offerRequestRoutes(route func(pattern string, h http.HandlerFunc)) {
	route("GET /api/v1/offer-requests", h.withToken(glpinet.ScopeRead, h.offerRequests))
	route("POST /api/v1/offer-requests", h.withToken(glpinet.ScopeAdmin, h.requestOffer))
	route("POST /api/v1/offer-requests/{id}/grant", h.withToken(glpinet.ScopeAdmin, h.grantOfferRequest))
	route("POST /api/v1/offer-requests/{id}/decline", h.withToken(glpinet.ScopeAdmin, h.declineOfferRequest))
}

// offerRequestInput is the body of POST /api/v1/offer-requests.
type offerRequestInput struct {
	Offer   string `json:"offer"`
	Message string `json:"message"`
}

// grantInput is the body of a grant: the last day included (YYYY-MM-DD),
// or nothing for one year from today.
type grantInput struct {
	Until string `json:"until"`
}

// declineInput is the body of a decline: the reason mailed to the
// requester, optional.
type declineInput struct {
	Reason string `json:"reason"`
}

// grantJSON is a granted request with the subscription the grant made.
type grantJSON struct {
	Request      *glpinet.OfferRequest `json:"request"`
	Subscription *glpinet.Subscription `json:"subscription"`
}

// offerRequests lists the caller's account's requests, or, for an
// operator, every account's (or ?account='s).
func (h *Handler) offerRequests(w http.ResponseWriter, r *http.Request, c caller) {
	var account int64
	if service.IsOperator(c.user) {
		if v := r.URL.Query().Get("account"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				h.fail(w, r, glpinet.Errorf(glpinet.EINVALID, "account is an account ID, like 3."))
				return
			}
			account = id
		}
	} else {
		id, ok := h.customerOf(w, r, c)
		if !ok {
			return
		}
		account = id
	}
	qs, err := h.rules().ListOfferRequests(r.Context(), account, r.URL.Query().Get("state"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, paginate(r, qs))
}

func (h *Handler) requestOffer(w http.ResponseWriter, r *http.Request, c caller) {
	if _, ok := h.customerOf(w, r, c); !ok {
		return
	}
	var in offerRequestInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if strings.TrimSpace(in.Offer) == "" {
		h.fail(w, r, glpinet.Errorf(glpinet.EINVALID, "Say which offer: {\"offer\": \"standard\"}."))
		return
	}
	link := ""
	if h.MailBase != "" {
		link = h.MailBase + "/operator/requests"
	}
	q, err := h.rules().RequestOffer(actor(r, c), c.user, in.Offer, in.Message, link)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, q)
}

func (h *Handler) grantOfferRequest(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	id, ok := h.pathID(w, r, "id")
	if !ok {
		return
	}
	var in grantInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	var last *time.Time
	if in.Until != "" {
		day, err := service.ParseDay("until", in.Until)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		last = &day
	}
	q, sub, err := h.rules().GrantOfferRequest(actor(r, c), id, last)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, grantJSON{Request: q, Subscription: sub})
}

func (h *Handler) declineOfferRequest(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	id, ok := h.pathID(w, r, "id")
	if !ok {
		return
	}
	var in declineInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := h.rules().DeclineOfferRequest(actor(r, c), id, in.Reason)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, q)
}
