package http

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
	Invitations []*glpinet.Invitation
	NewLink     string
}

func (s *Server) handleMembersPage(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.customer(w, r, v)
	if a == nil {
		return
	}
	s.renderMembers(w, r, v, a, membersData{}, "", "")
}

// renderMembers shows the members page; errMsg is a refused form's
// error (a 400), flash a done action's note.
func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, v visitor, a *glpinet.Account, d membersData, flash, errMsg string) {
	var err error
	if d.Users, err = s.Store.ListUsers(r.Context(), a.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	// Only owners and admins see invitations: their codes let people in.
	if service.CanManage(v.user) {
		if d.Invitations, err = s.Store.ListInvitations(r.Context(), a.ID); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	p := s.pageFor(w, r, v, a, "members.title", d)
	p.Flash, p.Error = flash, errMsg
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "members", p)
}

// baseURL is the absolute root of the portal, for links people copy.
func (s *Server) baseURL(r *http.Request) string {
	return strings.TrimSuffix(strings.TrimSuffix(s.urlRoot(r), MarketplacePrefixes[0]), "/")
}

// joinLink is the link that accepts the invitation code.
func (s *Server) joinLink(r *http.Request, code string) string { return s.baseURL(r) + "/join/" + code }

// handleInvitationCreate invites people from the members page's form. A
// refused request (validity outside 1 to 90 days, uses, role) is said
// above the form, as the API says it in its error.
func (s *Server) handleInvitationCreate(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.manager(w, r, v)
	if a == nil {
		return
	}
	maxUses, _ := strconv.Atoi(r.PostFormValue("max_uses"))
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil {
		days = 0 // not a number: refused with the range
	}
	inv, err := s.rules().Invite(s.actor(r, v), service.InvitationRequest{AccountID: a.ID, CreatedBy: v.user.ID,
		Role: glpinet.UserRole(r.PostFormValue("role")), MaxUses: maxUses, Days: days})
	if err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			s.renderMembers(w, r, v, a, membersData{}, "", glpinet.ErrorMessage(err))
			return
		}
		s.Error(w, r, err)
		return
	}
	s.renderMembers(w, r, v, a, membersData{NewLink: s.joinLink(r, inv.Code)}, "", "")
}

func (s *Server) handleInvitationRevoke(w http.ResponseWriter, r *http.Request, v visitor) {
	a := s.manager(w, r, v)
	if a == nil {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	switch err := s.Store.RevokeInvitation(s.actor(r, v), a.ID, id); glpinet.ErrorCode(err) {
	case "", glpinet.ECONFLICT:
	case glpinet.ENOTFOUND:
		s.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	default:
		s.Error(w, r, err)
		return
	}
	s.renderMembers(w, r, v, a, membersData{}, pt(v.lang, "members.revokedflash"), "")
}

type joinData struct {
	Code, AccountName string
	Role              glpinet.UserRole
	Name, Email       string
}

// invitation returns the usable invitation of the path's code, or renders
// a page saying clearly why it cannot be used.
func (s *Server) invitation(w http.ResponseWriter, r *http.Request, v visitor) (*glpinet.Invitation, *glpinet.Account) {
	code := r.PathValue("code")
	inv, err := s.Store.FindInvitation(r.Context(), auth.HashToken(code))
	if err == nil {
		err = inv.Usable(s.Now())
	}
	if err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.ENOTFOUND || code == glpinet.EINVALID {
			s.message(w, r, v, http.StatusGone, "join.invalid", glpinet.ErrorMessage(err))
			return nil, nil
		}
		s.Error(w, r, err)
		return nil, nil
	}
	a, err := s.Store.FindAccountByID(r.Context(), inv.AccountID)
	if err != nil {
		s.Error(w, r, err)
		return nil, nil
	}
	return inv, a
}

func (s *Server) handleJoinPage(w http.ResponseWriter, r *http.Request) {
	v := s.visitorOf(w, r)
	inv, a := s.invitation(w, r, v)
	if inv == nil {
		return
	}
	s.render(w, r, http.StatusOK, "join", pageData{Lang: v.lang, Title: pt(v.lang, "join.title"), CSRF: s.csrfFor(w, r, v),
		Data: joinData{Code: r.PathValue("code"), AccountName: a.Name, Role: inv.Role}})
}

func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	v := s.visitorOf(w, r)
	if !s.checkCSRF(r, v) {
		s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
		return
	}
	inv, a := s.invitation(w, r, v)
	if inv == nil {
		return
	}
	d := joinData{Code: r.PathValue("code"), AccountName: a.Name, Role: inv.Role,
		Name: strings.TrimSpace(r.PostFormValue("name")), Email: glpinet.NormalizeEmail(r.PostFormValue("email"))}
	fail := func(status int, msg string) {
		s.render(w, r, status, "join", pageData{Lang: v.lang, Title: pt(v.lang, "join.title"), CSRF: s.csrfFor(w, r, v), Error: msg, Data: d})
	}
	u := &glpinet.User{Email: d.Email, Name: d.Name, Lang: v.lang}
	accept := func(u *glpinet.User) error {
		_, err := s.Store.AcceptInvitation(r.Context(), inv.Hash, u)
		return err
	}
	if !s.createUser(w, r, v, u, accept, fail) {
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}
