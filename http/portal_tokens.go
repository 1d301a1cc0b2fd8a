package http

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

type tokensData struct {
	Tokens   []*glpinet.APIToken
	Scopes   []glpinet.TokenScope
	NewToken string
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, v visitor, d tokensData, flash, errMsg string) {
	var err error
	if d.Tokens, err = s.Store.ListTokens(r.Context(), v.user.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	d.Scopes = service.ScopesFor(v.user)
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
	scopes := make([]glpinet.TokenScope, 0, len(r.PostForm["scope"]))
	for _, sc := range r.PostForm["scope"] {
		scopes = append(scopes, glpinet.TokenScope(sc))
	}
	days, _ := strconv.Atoi(r.PostFormValue("days"))
	tok, _, err := s.rules().CreateToken(s.actor(r, v), service.TokenRequest{User: v.user, Name: r.PostFormValue("name"), Scopes: scopes, Days: days})
	if errors.Is(err, service.ErrScopeNotAllowed) {
		s.renderTokens(w, r, v, tokensData{}, "", pt(v.lang, "error.forbidden"))
		return
	} else if err != nil {
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
