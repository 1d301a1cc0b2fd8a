package api

import (
	"context"
	"net/http"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
)

func (h *Handler) keys(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.customerOf(w, r, c)
	if !ok {
		return
	}
	p, err := pageOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	keys, next, err := h.Store.ListKeys(r.Context(), account, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newPage(p, keys, next))
}

// issuedKeyJSON carries a new key: the only time it is shown.
type issuedKeyJSON = service.IssuedKey

func (h *Handler) keyIssue(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.managerOf(w, r, c)
	if !ok {
		return
	}
	var in struct {
		Label string `json:"label"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	k, err := h.rules().IssueKey(actor(r, c), c.user, account, in.Label)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, k)
}

// accountKey returns the path's key when it belongs to account;
// another account's key is a 404, so that IDs reveal nothing.
func (h *Handler) accountKey(w http.ResponseWriter, r *http.Request, account int64) *glpinet.RegistrationKey {
	k, err := h.rules().AccountKey(r.Context(), account, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return nil
	}
	return k
}

func (h *Handler) keyRotate(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.managerOf(w, r, c)
	if !ok {
		return
	}
	old := h.accountKey(w, r, account)
	if old == nil {
		return
	}
	var in struct {
		GraceHours *int `json:"grace_hours"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	grace := glpinet.DefaultRotationGrace
	if in.GraceHours != nil {
		grace = service.Hours(*in.GraceHours)
	}
	next, err := h.rules().RotateKey(actor(r, c), c.user, old.ID, grace)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, next)
}

func (h *Handler) keyRevoke(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.managerOf(w, r, c)
	if !ok {
		return
	}
	k := h.accountKey(w, r, account)
	if k == nil {
		return
	}
	if err := h.rules().RevokeKey(actor(r, c), k.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) subscriptions(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.customerOf(w, r, c)
	if !ok {
		return
	}
	subs, err := h.Store.ListSubscriptions(r.Context(), account)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, paginate(r, subs))
}

func (h *Handler) instances(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.customerOf(w, r, c)
	if !ok {
		return
	}
	p, err := pageOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ins, next, err := h.Store.ListInstances(r.Context(), account, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newPage(p, ins, next))
}

// actor attributes an API call's changes to the token that made it.
func actor(r *http.Request, c caller) context.Context {
	return glpinet.WithActor(r.Context(), glpinet.TokenActor(c.token.ID, c.user))
}

// rules returns the shared rules over the server's store and clock: every
// surface goes through them for what more than one surface does.
func (h *Handler) rules() *service.Service { return service.New(h.Store, h.Now) }
