package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

type tokensData struct {
	Tokens   []*glpinet.APIToken
	Scopes   []glpinet.TokenScope
	NewToken string
}

// scopesFor lists the scopes a user may give a token: publish is for
// operators only.
func scopesFor(u *glpinet.User) []glpinet.TokenScope {
	s := []glpinet.TokenScope{glpinet.ScopeRead, glpinet.ScopeKeys, glpinet.ScopeAdmin}
	if u.Role == glpinet.RoleOperator {
		s = append(s, glpinet.ScopePublish)
	}
	return s
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, v visitor, d tokensData, flash, errMsg string) {
	var err error
	if d.Tokens, err = s.Store.ListTokens(r.Context(), v.user.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	d.Scopes = scopesFor(v.user)
	p := pageData{Lang: v.lang, Title: pt(v.lang, "tokens.title"), User: v.user, CSRF: s.csrfFor(w, r, v), Flash: flash, Error: errMsg, Data: d}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "tokens", p)
}

func (s *Server) handleTokensPage(w http.ResponseWriter, r *http.Request, v visitor) {
	s.renderTokens(w, r, v, tokensData{}, "", "")
}

func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request, v visitor) {
	allowed := map[glpinet.TokenScope]bool{}
	for _, sc := range scopesFor(v.user) {
		allowed[sc] = true
	}
	var scopes []glpinet.TokenScope
	for _, sc := range r.PostForm["scope"] {
		if !allowed[glpinet.TokenScope(sc)] {
			s.renderTokens(w, r, v, tokensData{}, "", pt(v.lang, "error.forbidden"))
			return
		}
		scopes = append(scopes, glpinet.TokenScope(sc))
	}
	tok, err := auth.NewToken(auth.PrefixAPIToken)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	t := &glpinet.APIToken{UserID: v.user.ID, Name: r.PostFormValue("name"), Hash: auth.HashToken(tok), Display: auth.TokenDisplay(tok), Scopes: scopes}
	if days, _ := strconv.Atoi(r.PostFormValue("days")); days > 0 {
		exp := s.Now().Add(time.Duration(min(days, 3650)) * 24 * time.Hour)
		t.ExpiresAt = &exp
	}
	if err := s.Store.CreateToken(s.actor(r, v), t); err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINVALID || code == glpinet.EFORBIDDEN {
			s.renderTokens(w, r, v, tokensData{}, "", glpinet.ErrorMessage(err))
			return
		}
		s.Error(w, r, err)
		return
	}
	s.renderTokens(w, r, v, tokensData{NewToken: tok}, "", "")
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request, v visitor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	switch err := s.Store.RevokeToken(s.actor(r, v), v.user.ID, id); glpinet.ErrorCode(err) {
	case "", glpinet.ECONFLICT:
	case glpinet.ENOTFOUND:
		s.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	default:
		s.Error(w, r, err)
		return
	}
	s.renderTokens(w, r, v, tokensData{}, pt(v.lang, "tokens.revokedflash"), "")
}
