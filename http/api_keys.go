package http

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
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
type issuedKeyJSON struct {
	Key string `json:"key"`
	*glpinet.RegistrationKey
	Replaces        *int64     `json:"replaces,omitempty"`
	OldKeyValidTill *time.Time `json:"old_key_valid_until,omitempty"`
}

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
	raw, err := glpinet.GenerateKey()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	k := &glpinet.RegistrationKey{AccountID: account, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw), Label: in.Label}
	if err := s.Store.CreateKey(apiActor(r, c), k); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, issuedKeyJSON{Key: raw, RegistrationKey: k})
}

// apiAccountKey returns the path's key when it belongs to account;
// another account's key is a 404, so that IDs reveal nothing.
func (s *Server) apiAccountKey(w http.ResponseWriter, r *http.Request, account int64) *glpinet.RegistrationKey {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var k *glpinet.RegistrationKey
	if err == nil {
		k, err = s.Store.FindKeyByID(r.Context(), id)
	}
	if err != nil || k.AccountID != account {
		s.Error(w, r, glpinet.Errorf(glpinet.ENOTFOUND, "Key %s does not exist.", r.PathValue("id")))
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
		if *in.GraceHours < 0 || *in.GraceHours > 24*90 {
			s.Error(w, r, glpinet.Errorf(glpinet.EINVALID, "grace_hours is 0 to 2160."))
			return
		}
		grace = time.Duration(*in.GraceHours) * time.Hour
	}
	raw, err := glpinet.GenerateKey()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	next := &glpinet.RegistrationKey{Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)}
	until := s.Now().Add(grace).UTC()
	if err := s.Store.RotateKey(apiActor(r, c), old.ID, next, until); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, issuedKeyJSON{Key: raw, RegistrationKey: next, Replaces: &old.ID, OldKeyValidTill: &until})
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
	if err := s.Store.RevokeKey(apiActor(r, c), k.ID); err != nil {
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
	return glpinet.WithActor(r.Context(), "token:"+strconv.FormatInt(c.token.ID, 10)+"/user:"+strconv.FormatInt(c.user.ID, 10))
}
