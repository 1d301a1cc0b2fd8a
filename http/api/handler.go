// Package api is the management API under /api/v1: JSON over HTTP for
// scripts and integrations, authenticated by personal API tokens
// (Authorization: Bearer gnt_…) whose scopes bound what they may do. Its
// routes and their schemas are described by the OpenAPI document it serves
// (openapi.go). The rules it applies live in package service; this package
// only reads requests and writes answers.
package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
	"github.com/prometheus/client_golang/prometheus"
)

// Handler serves the management API. Set its fields, then Register its
// routes.
type Handler struct {
	Store glpinet.Store
	// Catalogue gives the offers a subscription runs under.
	Catalogue interface{ Current() *glpinet.Catalogue }
	// Publisher publishes the archives POSTed to /api/v1/plugins; nil
	// answers 501.
	Publisher glpinet.Publisher
	// Uploads receives those archives.
	Uploads httpx.Uploads
	// Credentials guards token lookups; the portal shares it for its
	// session cookies.
	Credentials *httpx.Credentials
	// Proxies says which client address a request comes from.
	Proxies httpx.Proxies
	// BaseURL is the server's absolute root, for the links people copy
	// (an invitation's).
	BaseURL func(r *http.Request) string
	// MailBase is the root of the links mails carry (the public URL) when
	// the server sends mail, "" when it cannot: invitations by e-mail are
	// then refused.
	MailBase string
	Logger   *slog.Logger
	// Refused counts the requests refused to protect the server, by reason.
	Refused *prometheus.CounterVec
	Now     func() time.Time
}

// caller is who calls the management API: a user through one of their
// tokens.
type caller struct {
	token *glpinet.APIToken
	user  *glpinet.User
}

// touchEvery limits last-use writes to one per token per minute.
const touchEvery = time.Minute

// withToken wraps a management API handler: it authenticates the bearer
// token and requires scope. Errors use the one JSON error body of the
// server.
func (h *Handler) withToken(scope glpinet.TokenScope, fn func(w http.ResponseWriter, r *http.Request, c caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !strings.HasPrefix(strings.TrimSpace(raw), auth.PrefixAPIToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="glpinet"`)
			h.fail(w, r, glpinet.Errorf(glpinet.EUNAUTHORIZED, "Send a personal API token: Authorization: Bearer gnt_…"))
			return
		}
		addr, now, hash := h.Proxies.ClientIP(r), h.Now(), auth.HashToken(raw)
		if !h.Credentials.MayLookUp(addr, hash, now) {
			h.Refused.WithLabelValues("unknown_credentials").Inc()
			httpx.RetryAfter(w, time.Minute)
			h.fail(w, r, glpinet.Errorf(glpinet.ETOOMANY, "Too many unknown tokens from your address: try again in a minute."))
			return
		}
		t, u, err := h.Store.FindToken(r.Context(), hash)
		if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
			h.Credentials.Unknown(addr, now)
			w.Header().Set("WWW-Authenticate", `Bearer realm="glpinet", error="invalid_token"`)
			h.fail(w, r, glpinet.Errorf(glpinet.EUNAUTHORIZED, "This token is unknown, expired or revoked, or its user is disabled."))
			return
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
		h.Credentials.Valid(hash, now)
		if !t.Has(scope) {
			h.fail(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "This token lacks the %q scope.", scope))
			return
		}
		if now := h.Now(); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
			if err := h.Store.TouchToken(r.Context(), t.ID, now); err != nil {
				h.Logger.Warn("recording a token's last use", "err", err, "request_id", httpx.RequestID(r.Context()))
			}
		}
		fn(w, r, caller{token: t, user: u})
	}
}

// customerOf returns the caller's account ID, or writes a 403 for callers
// without one.
func (h *Handler) customerOf(w http.ResponseWriter, r *http.Request, c caller) (int64, bool) {
	if c.user.AccountID == 0 {
		h.fail(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "This endpoint is for customer accounts."))
		return 0, false
	}
	return c.user.AccountID, true
}

// managerOf is customerOf for changes: owners and admins only.
func (h *Handler) managerOf(w http.ResponseWriter, r *http.Request, c caller) (int64, bool) {
	id, ok := h.customerOf(w, r, c)
	if ok && !service.CanManage(c.user) {
		h.fail(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "Only the account's owners and admins may do this."))
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

// fail writes err as the API's JSON error body.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpx.Error(w, r, h.Logger, r.URL.Path, err)
}

// Register mounts the management API through route, which the server core
// gives each route's body limit and records.
func (h *Handler) Register(route func(pattern string, h http.HandlerFunc)) {
	route("GET /api/v1/openapi.json", h.handleOpenAPI)
	route("GET /api/v1/me", h.withToken(glpinet.ScopeRead, h.me))
	route("GET /api/v1/keys", h.withToken(glpinet.ScopeRead, h.keys))
	route("POST /api/v1/keys", h.withToken(glpinet.ScopeKeys, h.keyIssue))
	route("POST /api/v1/keys/{id}/rotate", h.withToken(glpinet.ScopeKeys, h.keyRotate))
	route("POST /api/v1/keys/{id}/revoke", h.withToken(glpinet.ScopeKeys, h.keyRevoke))
	route("GET /api/v1/subscriptions", h.withToken(glpinet.ScopeRead, h.subscriptions))
	route("GET /api/v1/instances", h.withToken(glpinet.ScopeRead, h.instances))
	route("GET /api/v1/users", h.withToken(glpinet.ScopeRead, h.users))
	route("PATCH /api/v1/users/{id}", h.withToken(glpinet.ScopeAdmin, h.setRole))
	route("DELETE /api/v1/users/{id}", h.withToken(glpinet.ScopeAdmin, h.removeUser))
	route("POST /api/v1/me/leave", h.withToken(glpinet.ScopeAdmin, h.leave))
	route("GET /api/v1/invitations", h.withToken(glpinet.ScopeRead, h.invitations))
	route("POST /api/v1/invitations", h.withToken(glpinet.ScopeAdmin, h.invite))
	route("POST /api/v1/invitations/{id}/revoke", h.withToken(glpinet.ScopeAdmin, h.revokeInvitation))
	route("GET /api/v1/offers", h.withToken(glpinet.ScopeRead, h.offers))
	route("PUT /api/v1/offers/{ref}", h.withToken(glpinet.ScopeAdmin, h.saveOffer))
	route("GET /api/v1/accounts", h.withToken(glpinet.ScopeRead, h.accounts))
	route("GET /api/v1/accounts/{id}", h.withToken(glpinet.ScopeRead, h.account))
	route("POST /api/v1/accounts/{id}/suspend", h.withToken(glpinet.ScopeAdmin, h.accountState(glpinet.AccountSuspended)))
	route("POST /api/v1/accounts/{id}/activate", h.withToken(glpinet.ScopeAdmin, h.accountState(glpinet.AccountActive)))
	route("POST /api/v1/accounts/{id}/subscriptions", h.withToken(glpinet.ScopeAdmin, h.grant))
	route("PATCH /api/v1/subscriptions/{id}", h.withToken(glpinet.ScopeAdmin, h.updateSubscription))
	route("GET /api/v1/audit", h.withToken(glpinet.ScopeRead, h.audit))
	route("GET /api/v1/plugins", h.withToken(glpinet.ScopeRead, h.plugins))
	route("GET /api/v1/plugins/{key}", h.withToken(glpinet.ScopeRead, h.plugin))
	route("POST /api/v1/plugins", h.withToken(glpinet.ScopePublish, h.publish))
	route("PATCH /api/v1/plugins/{key}", h.withToken(glpinet.ScopePublish, h.editPlugin))
	route("POST /api/v1/plugins/{key}/versions/{version}/yank", h.withToken(glpinet.ScopePublish, h.yank(true)))
	route("POST /api/v1/plugins/{key}/versions/{version}/unyank", h.withToken(glpinet.ScopePublish, h.yank(false)))
	route("GET /api/v1/tags", h.withToken(glpinet.ScopeRead, h.tags))
	route("PUT /api/v1/tags/{key}", h.withToken(glpinet.ScopePublish, h.saveTag))
	h.offerRequestRoutes(route)
}

type meJSON struct {
	User    *glpinet.User        `json:"user"`
	Account *glpinet.Account     `json:"account"`
	Scopes  []glpinet.TokenScope `json:"scopes"`
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request, c caller) {
	out := meJSON{User: c.user, Scopes: c.token.Scopes}
	if c.user.AccountID != 0 {
		a, err := h.Store.FindAccountByID(r.Context(), c.user.AccountID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		out.Account = a
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}
