package http

import (
	"net/http"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
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
	if in.Days < 1 || in.Days > 90 {
		s.Error(w, r, glpinet.Errorf(glpinet.EINVALID, "days is 1 to 90."))
		return
	}
	code, err := auth.NewToken(auth.PrefixInvitation)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	inv := &glpinet.Invitation{AccountID: account, Hash: auth.HashToken(code), Display: auth.TokenDisplay(code), Role: in.Role,
		MaxUses: in.MaxUses, ExpiresAt: s.Now().Add(time.Duration(in.Days) * 24 * time.Hour), CreatedBy: c.user.ID}
	if err := s.Store.CreateInvitation(apiActor(r, c), inv); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, invitationJSON{Invitation: inv, Link: s.baseURL(r) + "/join/" + code})
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
