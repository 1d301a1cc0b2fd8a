package portal

import (
	"net/http"
	"strconv"

	"github.com/glpinet/glpinet"
)

// Changing an account's members: a role, a removal (after a confirmation
// page, so that a stray click removes nobody; it works without
// JavaScript), leaving. Owners and admins do it on /members, operators on
// /operator/accounts/{account}/members with the same handlers; the rules
// are the service's, as for /api/v1/users.

func (h *Handler) memberRoutes(route func(pattern string, h http.HandlerFunc)) {
	route("POST /members/{id}/role", h.userPage(h.handleMemberRole))
	route("GET /members/{id}/remove", h.userPage(h.handleMemberRemovePage))
	route("POST /members/{id}/remove", h.userPage(h.handleMemberRemove))
	route("GET /members/leave", h.userPage(h.handleLeavePage))
	route("POST /members/leave", h.userPage(h.handleLeave))
	route("GET /operator/accounts/{account}/members", h.operatorPage(h.handleOpMembers))
	route("POST /operator/accounts/{account}/members/{id}/role", h.operatorPage(h.handleMemberRole))
	route("GET /operator/accounts/{account}/members/{id}/remove", h.operatorPage(h.handleMemberRemovePage))
	route("POST /operator/accounts/{account}/members/{id}/remove", h.operatorPage(h.handleMemberRemove))
}

// memberAccount returns the account whose members the request changes:
// the path's on an operator route (operatorPage let only operators in),
// else the visitor's, who must manage it.
func (h *Handler) memberAccount(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Account {
	if r.PathValue("account") == "" {
		return h.manager(w, r, v) // refuses operators, who have no account
	}
	id, err := strconv.ParseInt(r.PathValue("account"), 10, 64)
	a, err2 := h.Store.FindAccountByID(r.Context(), id)
	if err != nil || glpinet.ErrorCode(err2) == glpinet.ENOTFOUND {
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return nil
	} else if err2 != nil {
		h.Error(w, r, err2)
		return nil
	}
	return a
}

// memberOf returns the path's user if they belong to a; anyone else is
// "not found".
func (h *Handler) memberOf(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account) *glpinet.User {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	u, err := h.Store.FindUserByID(r.Context(), id)
	if err == nil && u.AccountID == a.ID {
		return u
	}
	if err != nil && glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		h.Error(w, r, err)
		return nil
	}
	h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
	return nil
}

// memberChanged renders the members page after a change: flash when it
// was made, the refusal's message when the rules refused it.
func (h *Handler) memberChanged(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, err error, flash string) {
	switch glpinet.ErrorCode(err) {
	case "":
		h.renderMembers(w, r, v, a, membersData{}, flash, "")
	case glpinet.ECONFLICT, glpinet.EINVALID:
		h.renderMembers(w, r, v, a, membersData{}, "", glpinet.ErrorMessage(err))
	case glpinet.EFORBIDDEN:
		h.message(w, r, v, http.StatusForbidden, "error.title", glpinet.ErrorMessage(err))
	case glpinet.ENOTFOUND:
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
	default:
		h.Error(w, r, err)
	}
}

func (h *Handler) handleMemberRole(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.memberAccount(w, r, v)
	if a == nil {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	_, err := h.rules().SetRole(h.actor(r, v), v.user, a.ID, id, glpinet.UserRole(r.PostFormValue("role")))
	h.memberChanged(w, r, v, a, err, pt(v.lang, "members.roleflash"))
}

// confirmData is the confirmation page of a removal or of leaving.
type confirmData struct {
	Question, Action, Button, Back string
	User                           *glpinet.User // the user removed; nil when leaving
}

func (h *Handler) handleMemberRemovePage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.memberAccount(w, r, v)
	if a == nil {
		return
	}
	u := h.memberOf(w, r, v, a)
	if u == nil {
		return
	}
	base := r.URL.Path[:len(r.URL.Path)-len("/"+r.PathValue("id")+"/remove")]
	h.render(w, r, http.StatusOK, "member_confirm", h.pageFor(w, r, v, a, "members.removetitle", confirmData{
		Question: pt(v.lang, "members.removeq"), Action: r.URL.Path, Button: pt(v.lang, "members.remove"), Back: base, User: u}))
}

func (h *Handler) handleMemberRemove(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.memberAccount(w, r, v)
	if a == nil {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if id == v.user.ID {
		h.handleLeave(w, r, v)
		return
	}
	_, err := h.rules().RemoveMember(h.actor(r, v), v.user, a.ID, id)
	h.memberChanged(w, r, v, a, err, pt(v.lang, "members.removedflash"))
}

func (h *Handler) handleLeavePage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	h.render(w, r, http.StatusOK, "member_confirm", h.pageFor(w, r, v, a, "members.leave", confirmData{
		Question: pt(v.lang, "members.leaveq"), Action: "/members/leave", Button: pt(v.lang, "members.leave"), Back: "/members"}))
}

// handleLeave removes the visitor from their account. Their session ends
// with them: the answer is a page for someone signed out.
func (h *Handler) handleLeave(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	if err := h.rules().Leave(h.actor(r, v), v.user); err != nil {
		h.memberChanged(w, r, v, a, err, "")
		return
	}
	h.message(w, r, visitor{lang: v.lang}, http.StatusOK, "members.lefttitle", pt(v.lang, "members.left"))
}

func (h *Handler) handleOpMembers(w http.ResponseWriter, r *http.Request, v visitor) {
	if a := h.memberAccount(w, r, v); a != nil {
		h.renderMembers(w, r, v, a, membersData{}, "", "")
	}
}
