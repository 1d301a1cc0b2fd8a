package http

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/service"
)

// caller is who calls the management API: a user through one of their
// tokens.
type caller struct {
	token *glpinet.APIToken
	user  *glpinet.User
}

// touchEvery limits last-use writes to one per token per minute.
const touchEvery = time.Minute

// api wraps a management API handler: it authenticates the bearer token
// and requires scope. Errors use the one JSON error body of the server.
func (s *Server) api(scope glpinet.TokenScope, fn func(w http.ResponseWriter, r *http.Request, c caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !strings.HasPrefix(strings.TrimSpace(raw), auth.PrefixAPIToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="glpinet"`)
			s.Error(w, r, glpinet.Errorf(glpinet.EUNAUTHORIZED, "Send a personal API token: Authorization: Bearer gnt_…"))
			return
		}
		addr, now, hash := clientKey(s.clientIP(r)), s.Now(), auth.HashToken(raw)
		if s.unknownCredentials.exhausted(addr, now) && !s.validCredentials.known(hash, now) {
			s.metrics.refused.WithLabelValues("unknown_credentials").Inc()
			retryAfter(w, time.Minute)
			s.Error(w, r, glpinet.Errorf(glpinet.ETOOMANY, "Too many unknown tokens from your address: try again in a minute."))
			return
		}
		t, u, err := s.Store.FindToken(r.Context(), hash)
		if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
			s.unknownCredentials.allow(addr, now)
			w.Header().Set("WWW-Authenticate", `Bearer realm="glpinet", error="invalid_token"`)
			s.Error(w, r, glpinet.Errorf(glpinet.EUNAUTHORIZED, "This token is unknown, expired or revoked."))
			return
		} else if err != nil {
			s.Error(w, r, err)
			return
		}
		s.validCredentials.remember(hash, now)
		if !t.Has(scope) {
			s.Error(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "This token lacks the %q scope.", scope))
			return
		}
		if now := s.Now(); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
			if err := s.Store.TouchToken(r.Context(), t.ID, now); err != nil {
				s.Logger.Warn("recording a token's last use", "err", err, "request_id", RequestID(r.Context()))
			}
		}
		fn(w, r, caller{token: t, user: u})
	}
}

// customerOf returns the caller's account ID, or writes a 403 for callers
// without one.
func (s *Server) customerOf(w http.ResponseWriter, r *http.Request, c caller) (int64, bool) {
	if c.user.AccountID == 0 {
		s.Error(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "This endpoint is for customer accounts."))
		return 0, false
	}
	return c.user.AccountID, true
}

// managerOf is customerOf for changes: owners and admins only.
func (s *Server) managerOf(w http.ResponseWriter, r *http.Request, c caller) (int64, bool) {
	id, ok := s.customerOf(w, r, c)
	if ok && !service.CanManage(c.user) {
		s.Error(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "Only the account's owners and admins may do this."))
		return 0, false
	}
	return id, ok
}

// list is the shape of every list the API returns.
type list[T any] struct {
	Data   []T `json:"data"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// paginate cuts items by the request's ?limit= (1 to 1000, default 100) and
// ?offset=.
func paginate[T any](r *http.Request, items []T) list[T] {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > 1000 {
		limit = 100
	}
	offset, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if err != nil || offset < 0 {
		offset = 0
	}
	out := list[T]{Data: []T{}, Total: len(items), Limit: limit, Offset: offset}
	if offset < len(items) {
		out.Data = items[offset:min(len(items), offset+limit)]
	}
	return out
}

// decode reads a JSON request body of at most 1 MiB into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && err != io.EOF {
		return glpinet.Errorf(glpinet.EINVALID, "The request body is not the expected JSON: %v.", err)
	}
	return nil
}

// apiRoutes adds the management API to mux.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	s.route(mux, "GET /api/v1/openapi.json", s.handleOpenAPI)
	s.route(mux, "GET /api/v1/me", s.api(glpinet.ScopeRead, s.apiMe))
	s.route(mux, "GET /api/v1/keys", s.api(glpinet.ScopeRead, s.apiKeys))
	s.route(mux, "POST /api/v1/keys", s.api(glpinet.ScopeKeys, s.apiKeyIssue))
	s.route(mux, "POST /api/v1/keys/{id}/rotate", s.api(glpinet.ScopeKeys, s.apiKeyRotate))
	s.route(mux, "POST /api/v1/keys/{id}/revoke", s.api(glpinet.ScopeKeys, s.apiKeyRevoke))
	s.route(mux, "GET /api/v1/subscriptions", s.api(glpinet.ScopeRead, s.apiSubscriptions))
	s.route(mux, "GET /api/v1/instances", s.api(glpinet.ScopeRead, s.apiInstances))
	s.route(mux, "GET /api/v1/users", s.api(glpinet.ScopeRead, s.apiUsers))
	s.route(mux, "GET /api/v1/invitations", s.api(glpinet.ScopeRead, s.apiInvitations))
	s.route(mux, "POST /api/v1/invitations", s.api(glpinet.ScopeAdmin, s.apiInvite))
	s.route(mux, "POST /api/v1/invitations/{id}/revoke", s.api(glpinet.ScopeAdmin, s.apiRevokeInvitation))
	s.route(mux, "GET /api/v1/offers", s.api(glpinet.ScopeRead, s.apiOffers))
	s.route(mux, "PUT /api/v1/offers/{ref}", s.api(glpinet.ScopeAdmin, s.apiSaveOffer))
	s.route(mux, "GET /api/v1/accounts", s.api(glpinet.ScopeRead, s.apiAccounts))
	s.route(mux, "GET /api/v1/accounts/{id}", s.api(glpinet.ScopeRead, s.apiAccount))
	s.route(mux, "POST /api/v1/accounts/{id}/suspend", s.api(glpinet.ScopeAdmin, s.apiAccountState(glpinet.AccountSuspended)))
	s.route(mux, "POST /api/v1/accounts/{id}/activate", s.api(glpinet.ScopeAdmin, s.apiAccountState(glpinet.AccountActive)))
	s.route(mux, "POST /api/v1/accounts/{id}/subscriptions", s.api(glpinet.ScopeAdmin, s.apiGrant))
	s.route(mux, "PATCH /api/v1/subscriptions/{id}", s.api(glpinet.ScopeAdmin, s.apiUpdateSubscription))
	s.route(mux, "GET /api/v1/audit", s.api(glpinet.ScopeRead, s.apiAudit))
	s.route(mux, "GET /api/v1/plugins", s.api(glpinet.ScopeRead, s.apiPlugins))
	s.route(mux, "GET /api/v1/plugins/{key}", s.api(glpinet.ScopeRead, s.apiPlugin))
	s.route(mux, "POST /api/v1/plugins", s.api(glpinet.ScopePublish, s.apiPublish))
	s.route(mux, "PATCH /api/v1/plugins/{key}", s.api(glpinet.ScopePublish, s.apiEditPlugin))
	s.route(mux, "POST /api/v1/plugins/{key}/versions/{version}/yank", s.api(glpinet.ScopePublish, s.apiYank(true)))
	s.route(mux, "POST /api/v1/plugins/{key}/versions/{version}/unyank", s.api(glpinet.ScopePublish, s.apiYank(false)))
	s.route(mux, "GET /api/v1/tags", s.api(glpinet.ScopeRead, s.apiTags))
	s.route(mux, "PUT /api/v1/tags/{key}", s.api(glpinet.ScopePublish, s.apiSaveTag))
}

type meJSON struct {
	User    *glpinet.User        `json:"user"`
	Account *glpinet.Account     `json:"account"`
	Scopes  []glpinet.TokenScope `json:"scopes"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, c caller) {
	out := meJSON{User: c.user, Scopes: c.token.Scopes}
	if c.user.AccountID != 0 {
		a, err := s.Store.FindAccountByID(r.Context(), c.user.AccountID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		out.Account = a
	}
	writeJSON(w, http.StatusOK, out)
}
