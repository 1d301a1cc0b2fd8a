package portal

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

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, v visitor, d tokensData, flash, errMsg string) {
	var err error
	if d.Tokens, err = h.Store.ListTokens(r.Context(), v.user.ID); err != nil {
		h.Error(w, r, err)
		return
	}
	d.Scopes = service.ScopesFor(v.user)
	p := pageData{Lang: v.lang, Title: pt(v.lang, "tokens.title"), User: v.user, CSRF: h.csrfFor(w, r, v), Flash: flash, Error: errMsg, Data: d}
	if v.user.AccountID != 0 {
		// The account's state: a suspended one's users are told why the
		// form is gone (operators have no account).
		if p.Account, err = h.Store.FindAccountByID(r.Context(), v.user.AccountID); err != nil {
			h.Error(w, r, err)
			return
		}
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "tokens", p)
}

func (h *Handler) handleTokensPage(w http.ResponseWriter, r *http.Request, v visitor) {
	h.renderTokens(w, r, v, tokensData{}, "", "")
}

func (h *Handler) handleTokenCreate(w http.ResponseWriter, r *http.Request, v visitor) {
	scopes := make([]glpinet.TokenScope, 0, len(r.PostForm["scope"]))
	for _, sc := range r.PostForm["scope"] {
		scopes = append(scopes, glpinet.TokenScope(sc))
	}
	days, _ := strconv.Atoi(r.PostFormValue("days"))
	tok, _, err := h.rules().CreateToken(h.actor(r, v), service.TokenRequest{User: v.user, Name: r.PostFormValue("name"), Scopes: scopes, Days: days})
	if errors.Is(err, service.ErrScopeNotAllowed) {
		h.renderTokens(w, r, v, tokensData{}, "", pt(v.lang, "error.forbidden"))
		return
	} else if err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINVALID || code == glpinet.EFORBIDDEN {
			h.renderTokens(w, r, v, tokensData{}, "", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	h.renderTokens(w, r, v, tokensData{NewToken: tok}, "", "")
}

func (h *Handler) handleTokenRevoke(w http.ResponseWriter, r *http.Request, v visitor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	switch err := h.Store.RevokeToken(h.actor(r, v), v.user.ID, id); glpinet.ErrorCode(err) {
	case "", glpinet.ECONFLICT:
	case glpinet.ENOTFOUND:
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	default:
		h.Error(w, r, err)
		return
	}
	h.renderTokens(w, r, v, tokensData{}, pt(v.lang, "tokens.revokedflash"), "")
}
