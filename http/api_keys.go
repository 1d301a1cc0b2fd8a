package http

import (
	"context"
	"net/http"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

func (s *Server) apiKeys(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.customerOf(w, r, c)
	if !ok {
		return
	}
	keys, err := s.Store.ListKeys(r.Context(), account)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, keys))
}

// issuedKeyJSON carries a new key: the only time it is shown.
type issuedKeyJSON = service.IssuedKey

func (s *Server) apiKeyIssue(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.managerOf(w, r, c)
	if !ok {
		return
	}
	var in struct {
		Label string `json:"label"`
	}
	if err := decode(r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	k, err := s.rules().IssueKey(apiActor(r, c), account, in.Label)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, k)
}

// apiAccountKey returns the path's key when it belongs to account;
// another account's key is a 404, so that IDs reveal nothing.
func (s *Server) apiAccountKey(w http.ResponseWriter, r *http.Request, account int64) *glpinet.RegistrationKey {
	k, err := s.rules().AccountKey(r.Context(), account, r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return nil
	}
	return k
}

func (s *Server) apiKeyRotate(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.managerOf(w, r, c)
	if !ok {
		return
	}
	old := s.apiAccountKey(w, r, account)
	if old == nil {
		return
	}
	var in struct {
		GraceHours *int `json:"grace_hours"`
	}
	if err := decode(r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	grace := glpinet.DefaultRotationGrace
	if in.GraceHours != nil {
		grace = service.Hours(*in.GraceHours)
	}
	next, err := s.rules().RotateKey(apiActor(r, c), old.ID, grace)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, next)
}

func (s *Server) apiKeyRevoke(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.managerOf(w, r, c)
	if !ok {
		return
	}
	k := s.apiAccountKey(w, r, account)
	if k == nil {
		return
	}
	if err := s.rules().RevokeKey(apiActor(r, c), k.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiSubscriptions(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.customerOf(w, r, c)
	if !ok {
		return
	}
	subs, err := s.Store.ListSubscriptions(r.Context(), account)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, subs))
}

func (s *Server) apiInstances(w http.ResponseWriter, r *http.Request, c caller) {
	account, ok := s.customerOf(w, r, c)
	if !ok {
		return
	}
	ins, err := s.Store.ListInstances(r.Context(), account)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, ins))
}

// apiActor attributes an API call's changes to the token that made it.
func apiActor(r *http.Request, c caller) context.Context {
	return glpinet.WithActor(r.Context(), glpinet.TokenActor(c.token.ID, c.user.ID))
}

// rules returns the shared rules over the server's store and clock: every
// surface goes through them for what more than one surface does.
func (s *Server) rules() *service.Service { return service.New(s.Store, s.Now) }
