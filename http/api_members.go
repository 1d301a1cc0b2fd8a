package http

import (
	"net/http"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.customerOf(w, r, c)
	if !ok {
		return
	}
	users, err := s.Store.ListUsers(r.Context(), account)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, users))
}

func (s *Server) apiInvitations(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.managerOf(w, r, c)
	if !ok {
		return
	}
	invs, err := s.Store.ListInvitations(r.Context(), account)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, invs))
}

// invitationJSON carries a new invitation's link: the only time it is shown.
type invitationJSON struct {
	*glpinet.Invitation
	Link string `json:"link"`
}

func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.managerOf(w, r, c)
	if !ok {
		return
	}
	var in struct {
		Role    glpinet.UserRole `json:"role"`
		MaxUses int              `json:"max_uses"`
		Days    int              `json:"days"`
	}
	if err := decode(r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	inv, err := s.rules().Invite(apiActor(r, c), service.InvitationRequest{AccountID: account, CreatedBy: c.user.ID, Role: in.Role, MaxUses: in.MaxUses, Days: in.Days})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, invitationJSON{Invitation: inv.Invitation, Link: s.joinLink(r, inv.Code)})
}

func (s *Server) apiRevokeInvitation(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.managerOf(w, r, c)
	if !ok {
		return
	}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	if err := s.Store.RevokeInvitation(apiActor(r, c), account, id); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
