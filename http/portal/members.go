package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/service"
)

type membersData struct {
	Users       []*glpinet.User
	Pager       pager
	Invitations []*glpinet.Invitation
	NewLink     string
	// SentTo is the address the new link was just mailed to.
	SentTo string
	// CanMail shows the invitation form's e-mail field: only a server
	// that sends mail and knows its public URL can mail a link. Hidden
	// rather than refused after the fact: a field that can only fail is
	// a trap, and the link to copy works on every server.
	CanMail bool
	// Base is where the member forms post: /members, or an operator's
	// /operator/accounts/{id}/members.
	Base string
	// Manage shows the role and remove forms: owners, admins, operators.
	Manage bool
	// Self is the visitor's ID (0 for an operator), who leaves rather
	// than removes themselves.
	Self int64
}

func (h *Handler) handleMembersPage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.customer(w, r, v)
	if a == nil {
		return
	}
	h.renderMembers(w, r, v, a, membersData{}, "", "")
}

// renderMembers shows the members page; errMsg is a refused form's
// error (a 400), flash a done action's note.
func (h *Handler) renderMembers(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, d membersData, flash, errMsg string) {
	pg := listPage(r)
	var next string
	var err error
	if d.Users, next, err = h.Store.ListUsers(r.Context(), a.ID, pg); err != nil {
		h.Error(w, r, err)
		return
	}
	d.Base, d.Manage = "/members", service.CanManage(v.user) || service.IsOperator(v.user)
	d.CanMail = h.sentMailBase() != ""
	if service.IsOperator(v.user) {
		d.Base = "/operator/accounts/" + strconv.FormatInt(a.ID, 10) + "/members"
	} else {
		d.Self = v.user.ID
	}
	d.Pager = pagerFor(r, v.lang, d.Base, pg, next)
	// Only owners and admins see invitations: their codes let people in.
	if service.CanManage(v.user) {
		if d.Invitations, err = h.Store.ListInvitations(r.Context(), a.ID); err != nil {
			h.Error(w, r, err)
			return
		}
	}
	p := h.pageFor(w, r, v, a, "members.title", d)
	p.Flash, p.Error = flash, errMsg
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "members", p)
}

// joinLink is the link that accepts the invitation code.
func (h *Handler) joinLink(r *http.Request, code string) string {
	return h.GLPI.BaseURL(r) + "/join/" + code
}

// handleInvitationCreate invites people from the members page's form. A
// refused request (validity outside 1 to 90 days, uses, role) is said
// above the form, as the API says it in its error.
func (h *Handler) handleInvitationCreate(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.manager(w, r, v)
	if a == nil {
		return
	}
	maxUses, _ := strconv.Atoi(r.PostFormValue("max_uses"))
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil {
		days = 0 // not a number: refused with the range
	}
	inv, err := h.rules().Invite(h.actor(r, v), service.InvitationRequest{AccountID: a.ID, CreatedBy: v.user.ID,
		Role: glpinet.UserRole(r.PostFormValue("role")), MaxUses: maxUses, Days: days,
		Email: r.PostFormValue("email"), MailBase: h.sentMailBase()})
	if err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			h.renderMembers(w, r, v, a, membersData{}, "", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	h.renderMembers(w, r, v, a, membersData{NewLink: h.joinLink(r, inv.Code), SentTo: inv.Email}, "", "")
}

func (h *Handler) handleInvitationRevoke(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.manager(w, r, v)
	if a == nil {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	switch err := h.Store.RevokeInvitation(h.actor(r, v), a.ID, id); glpinet.ErrorCode(err) {
	case "", glpinet.ECONFLICT:
	case glpinet.ENOTFOUND:
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	default:
		h.Error(w, r, err)
		return
	}
	h.renderMembers(w, r, v, a, membersData{}, pt(v.lang, "members.revokedflash"), "")
}

type joinData struct {
	Code, AccountName string
	Role              glpinet.UserRole
	Name, Email       string
}

// invitation returns the usable invitation of the path's code, or renders
// a page saying clearly why it cannot be used.
func (h *Handler) invitation(w http.ResponseWriter, r *http.Request, v visitor) (*glpinet.Invitation, *glpinet.Account) {
	code := r.PathValue("code")
	inv, err := h.Store.FindInvitation(r.Context(), auth.HashToken(code))
	if err == nil {
		err = inv.Usable(h.Now())
	}
	if err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.ENOTFOUND || code == glpinet.EINVALID {
			h.message(w, r, v, http.StatusGone, "join.invalid", glpinet.ErrorMessage(err))
			return nil, nil
		}
		h.Error(w, r, err)
		return nil, nil
	}
	a, err := h.Store.FindAccountByID(r.Context(), inv.AccountID)
	if err != nil {
		h.Error(w, r, err)
		return nil, nil
	}
	return inv, a
}

func (h *Handler) handleJoinPage(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	inv, a := h.invitation(w, r, v)
	if inv == nil {
		return
	}
	// The address the invitation was mailed to is offered, not imposed:
	// the invitee may prefer another one of theirs.
	h.render(w, r, http.StatusOK, "join", pageData{Lang: v.lang, Title: pt(v.lang, "join.title"), CSRF: h.csrfFor(w, r, v),
		Data: joinData{Code: r.PathValue("code"), AccountName: a.Name, Role: inv.Role, Email: inv.Email}})
}

func (h *Handler) handleJoin(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	if !h.checkCSRF(r, v) {
		h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
		return
	}
	inv, a := h.invitation(w, r, v)
	if inv == nil {
		return
	}
	d := joinData{Code: r.PathValue("code"), AccountName: a.Name, Role: inv.Role,
		Name: strings.TrimSpace(r.PostFormValue("name")), Email: glpinet.NormalizeEmail(r.PostFormValue("email"))}
	fail := func(status int, msg string) {
		h.render(w, r, status, "join", pageData{Lang: v.lang, Title: pt(v.lang, "join.title"), CSRF: h.csrfFor(w, r, v), Error: msg, Data: d})
	}
	u := &glpinet.User{Email: d.Email, Name: d.Name, Lang: v.lang}
	accept := func(u *glpinet.User) error {
		_, err := h.Store.AcceptInvitation(r.Context(), inv.Hash, u)
		return err
	}
	if d.Email == "" || d.Email != inv.Email {
		// Joining with the address the invitation was mailed to proves
		// it; any other address is verified by a link of its own when
		// the server can mail one.
		plain := accept
		accept = func(u *glpinet.User) error {
			return h.storeNewUser(u, plain, func(u *glpinet.User, req glpinet.EmailVerificationRequest) error {
				_, err := h.Store.AcceptInvitationToVerify(r.Context(), inv.Hash, u, req)
				return err
			})
		}
	}
	if !h.createUser(w, r, v, u, accept, fail) {
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}
