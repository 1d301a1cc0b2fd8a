package api

import (
	"net/http"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
)

func (h *Handler) users(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.customerOf(w, r, c)
	if !ok {
		return
	}
	p, err := pageOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	users, next, err := h.Store.ListUsers(r.Context(), account, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newPage(p, users, next))
}

func (h *Handler) invitations(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.managerOf(w, r, c)
	if !ok {
		return
	}
	invs, err := h.Store.ListInvitations(r.Context(), account)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, paginate(r, invs))
}

// invitationJSON carries a new invitation's link: the only time it is shown.
type invitationJSON struct {
	*glpinet.Invitation
	Link string `json:"link"`
}

func (h *Handler) invite(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.managerOf(w, r, c)
	if !ok {
		return
	}
	var in struct {
		Role    glpinet.UserRole `json:"role"`
		MaxUses int              `json:"max_uses"`
		Days    int              `json:"days"`
		Email   string           `json:"email"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	inv, err := h.rules().Invite(actor(r, c), service.InvitationRequest{AccountID: account, CreatedBy: c.user.ID, Role: in.Role, MaxUses: in.MaxUses, Days: in.Days,
		Email: in.Email, MailBase: h.MailBase})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, invitationJSON{Invitation: inv.Invitation, Link: h.BaseURL(r) + "/join/" + inv.Code})
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := h.managerOf(w, r, c)
	if !ok {
		return
	}
	id, ok := h.pathID(w, r, "id")
	if !ok {
		return
	}
	if err := h.Store.RevokeInvitation(actor(r, c), account, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// roleJSON is the body of PATCH /api/v1/users/{id}: a new role, an
// e-mail address an operator vouches for (email_verified: true), or both.
type roleJSON struct {
	Role          glpinet.UserRole `json:"role,omitempty"`
	EmailVerified *bool            `json:"email_verified,omitempty"`
}

// setRole changes a user's role: a customer's token acts on its own
// account, an operator's on the user's; the rules are the service's.
func (h *Handler) setRole(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := h.pathID(w, r, "id")
	if !ok {
		return
	}
	var in roleJSON
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	var u *glpinet.User
	var err error
	if in.Role != "" || in.EmailVerified == nil {
		u, err = h.rules().SetRole(actor(r, c), c.user, 0, id, in.Role)
	}
	if err == nil && in.EmailVerified != nil {
		u, _, err = h.rules().VerifyUser(actor(r, c), c.user, id, *in.EmailVerified)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, u)
}

// removeUser removes a user from their account: their sessions and
// tokens end at once.
func (h *Handler) removeUser(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := h.pathID(w, r, "id")
	if !ok {
		return
	}
	if _, err := h.rules().RemoveMember(actor(r, c), c.user, 0, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// leave removes the caller from their account; the token used ends with
// them.
func (h *Handler) leave(w http.ResponseWriter, r *http.Request, c caller) {
	if err := h.rules().Leave(actor(r, c), c.user); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
