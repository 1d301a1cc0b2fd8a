package api

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
)

// operation documents one operation of the management API. The OpenAPI
// document is built from this table; a test checks that it lists exactly
// the /api/v1 routes the server serves.
type operation struct {
	Method, Path, Summary string
	Scope                 glpinet.TokenScope
	Request               any // a value of the request body's type, or nil
	Response              any // a value of the response body's type, or nil for 204
	Status                int
	Operator              bool // only operators may call it
}

var operations = []operation{
	{"GET", "/api/v1/me", "The calling user, their account and the token's scopes", glpinet.ScopeRead, nil, meJSON{}, 200, false},
	{"GET", "/api/v1/keys", "The account's registration keys (display prefixes only)", glpinet.ScopeRead, nil, page[glpinet.RegistrationKey]{}, 200, false},
	{"POST", "/api/v1/keys", "Issue a registration key; the response is the only time the key is shown", glpinet.ScopeKeys, struct {
		Label string `json:"label"`
	}{}, issuedKeyJSON{}, 201, false},
	{"POST", "/api/v1/keys/{id}/rotate", "Replace a key; the old one keeps working for grace_hours (default 168)", glpinet.ScopeKeys, struct {
		GraceHours *int `json:"grace_hours"`
	}{}, issuedKeyJSON{}, 201, false},
	{"POST", "/api/v1/keys/{id}/revoke", "Revoke a key now", glpinet.ScopeKeys, nil, nil, 204, false},
	{"GET", "/api/v1/subscriptions", "The account's subscriptions", glpinet.ScopeRead, nil, list[glpinet.Subscription]{}, 200, false},
	{"GET", "/api/v1/instances", "The GLPI instances seen with the account's keys", glpinet.ScopeRead, nil, page[glpinet.Instance]{}, 200, false},
	{"GET", "/api/v1/users", "The account's users", glpinet.ScopeRead, nil, page[glpinet.User]{}, 200, false},
	{"PATCH", "/api/v1/users/{id}", "Change a user's role (owner, admin, member): owners and admins of the account, operators for any; only an owner makes or changes an owner; the last owner stays. Operators may also mark the user's e-mail address verified (\"email_verified\": true), which lets them issue keys", glpinet.ScopeAdmin, roleJSON{}, glpinet.User{}, 200, false},
	{"DELETE", "/api/v1/users/{id}", "Remove a user from the account: their sessions and tokens end at once; the last owner stays", glpinet.ScopeAdmin, nil, nil, 204, false},
	{"POST", "/api/v1/me/leave", "Leave your account (not its last owner): your sessions and tokens, this one too, end at once", glpinet.ScopeAdmin, nil, nil, 204, false},
	{"GET", "/api/v1/invitations", "The account's invitations (owners and admins)", glpinet.ScopeRead, nil, list[glpinet.Invitation]{}, 200, false},
	{"POST", "/api/v1/invitations", "Create an invitation link; the response is the only time it is shown. With email, the link is also mailed to that address in the caller's language (refused when the server has no --smtp or no --public-url)", glpinet.ScopeAdmin, struct {
		Role    glpinet.UserRole `json:"role"`
		MaxUses int              `json:"max_uses"`
		Days    int              `json:"days"`
		Email   string           `json:"email,omitempty"`
	}{}, invitationJSON{}, 201, false},
	{"POST", "/api/v1/invitations/{id}/revoke", "Revoke an invitation", glpinet.ScopeAdmin, nil, nil, 204, false},
	{"GET", "/api/v1/offers", "The offers", glpinet.ScopeRead, nil, list[glpinet.Offer]{}, 200, false},
	{"PUT", "/api/v1/offers/{ref}", "Create or change an offer", glpinet.ScopeAdmin, glpinet.Offer{}, glpinet.Offer{}, 200, true},
	{"GET", "/api/v1/accounts", "Search accounts (?q= matches names)", glpinet.ScopeRead, nil, page[glpinet.Account]{}, 200, true},
	{"GET", "/api/v1/accounts/{id}", "An account with its subscriptions", glpinet.ScopeRead, nil, accountJSON{}, 200, true},
	{"POST", "/api/v1/accounts/{id}/suspend", "Suspend an account: its keys stop unlocking anything", glpinet.ScopeAdmin, nil, nil, 204, true},
	{"POST", "/api/v1/accounts/{id}/activate", "Reactivate an account", glpinet.ScopeAdmin, nil, nil, 204, true},
	{"POST", "/api/v1/accounts/{id}/subscriptions", "Grant an offer for a period (days; until is included)", glpinet.ScopeAdmin, subscriptionInput{}, glpinet.Subscription{}, 201, true},
	{"PATCH", "/api/v1/subscriptions/{id}", "Extend, end or suspend a subscription", glpinet.ScopeAdmin, subscriptionInput{}, glpinet.Subscription{}, 200, true},
	{"GET", "/api/v1/audit", "The audit log, newest first (?actor= ?action= ?subject= ?since=RFC3339)", glpinet.ScopeRead, nil, page[glpinet.AuditEvent]{}, 200, true},
	{"GET", "/api/v1/plugins", "The catalogue with every version", glpinet.ScopeRead, nil, list[glpinet.Plugin]{}, 200, false},
	{"GET", "/api/v1/plugins/{key}", "One plugin", glpinet.ScopeRead, nil, glpinet.Plugin{}, 200, false},
	{"POST", "/api/v1/plugins", "Publish the archive sent as the body (?filename= ?required_offers= ?compatibility= ?stability= ?tags= ?force=1)", glpinet.ScopePublish, nil, glpinet.PublishResult{}, 201, true},
	{"PATCH", "/api/v1/plugins/{key}", "Change a plugin's catalogue text", glpinet.ScopePublish, glpinet.PluginMeta{}, glpinet.Plugin{}, 200, true},
	{"POST", "/api/v1/plugins/{key}/versions/{version}/yank", "Withdraw a version", glpinet.ScopePublish, nil, nil, 204, true},
	{"POST", "/api/v1/plugins/{key}/versions/{version}/unyank", "Put a withdrawn version back", glpinet.ScopePublish, nil, nil, 204, true},
	{"GET", "/api/v1/tags", "The tags with their plugin counts", glpinet.ScopeRead, nil, list[glpinet.TagCount]{}, 200, false},
	{"PUT", "/api/v1/tags/{key}", "Create or rename a tag", glpinet.ScopePublish, glpinet.Tag{}, glpinet.Tag{}, 200, true},
	{"GET", "/api/v1/offer-requests", "Offer requests, newest first (?state=pending|granted|declined): the account's; an operator's token sees every account's (?account=ID)", glpinet.ScopeRead, nil, list[glpinet.OfferRequest]{}, 200, false},
	{"POST", "/api/v1/offer-requests", "Ask the operators for a paid offer above the running one, or the running one in its last 30 days (owners and admins); the operators are mailed", glpinet.ScopeAdmin, offerRequestInput{}, glpinet.OfferRequest{}, 201, false},
	{"POST", "/api/v1/offer-requests/{id}/grant", "Grant a pending request: its subscription runs from today until the last day until (YYYY-MM-DD), one year when none; the requester is mailed", glpinet.ScopeAdmin, grantInput{}, grantJSON{}, 200, true},
	{"POST", "/api/v1/offer-requests/{id}/decline", "Decline a pending request; the requester is mailed the reason, if any", glpinet.ScopeAdmin, declineInput{}, glpinet.OfferRequest{}, 200, true},
}

// APIOperations returns "METHOD /path" of every documented operation.
func APIOperations() []string {
	out := make([]string, len(operations))
	for i, op := range operations {
		out[i] = op.Method + " " + op.Path
	}
	return out
}

var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
)

// handleOpenAPI serves the OpenAPI 3 document of /api/v1.
func (h *Handler) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	openAPIOnce.Do(func() { openAPIDoc = httpx.Marshal(openAPI()) })
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDoc)
}

type obj = map[string]any

func openAPI() obj {
	paths := obj{}
	for _, op := range operations {
		item, _ := paths[op.Path].(obj)
		if item == nil {
			item = obj{}
			paths[op.Path] = item
		}
		o := obj{"summary": op.Summary, "security": []obj{{"bearer": []string{}}},
			"x-scope": op.Scope, "x-operators-only": op.Operator, "responses": responses(op)}
		var params []obj
		for _, seg := range strings.Split(op.Path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, obj{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": obj{"type": "string"}})
			}
		}
		if _, ok := op.Response.(keyset); ok {
			params = append(params, pageParams(op.Path)...)
		}
		if params != nil {
			o["parameters"] = params
		}
		if op.Request != nil {
			o["requestBody"] = obj{"content": obj{"application/json": obj{"schema": schemaOf(reflect.TypeOf(op.Request))}}}
		} else if op.Path == "/api/v1/plugins" && op.Method == "POST" {
			o["requestBody"] = obj{"content": obj{"application/octet-stream": obj{"schema": obj{"type": "string", "format": "binary"}}}}
		}
		item[strings.ToLower(op.Method)] = o
	}
	return obj{
		"openapi": "3.0.3",
		"info":    obj{"title": "glpinet management API", "version": "1"},
		"paths":   paths,
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "A personal API token (gnt_…) made in the portal"}},
			"schemas":         obj{"Error": schemaOf(reflect.TypeOf(httpx.ErrorBody{}))},
		},
	}
}

func responses(op operation) obj {
	ok := obj{"description": "Success"}
	if op.Response != nil {
		ok["content"] = obj{"application/json": obj{"schema": schemaOf(reflect.TypeOf(op.Response))}}
	}
	errRef := obj{"description": "Error", "content": obj{"application/json": obj{"schema": obj{"$ref": "#/components/schemas/Error"}}}}
	return obj{strconv.Itoa(op.Status): ok, "400": errRef, "401": errRef, "403": errRef, "404": errRef, "409": errRef}
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf derives a JSON schema from a Go type through its json tags.
func schemaOf(t reflect.Type) obj {
	switch {
	case t == timeType:
		return obj{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		s := schemaOf(t.Elem())
		s["nullable"] = true
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return obj{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return obj{"type": "number"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return obj{"type": "string", "format": "byte"}
		}
		return obj{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Array:
		return obj{"type": "string"}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := obj{}
		addFields(t, props)
		return obj{"type": "object", "properties": props}
	}
	return obj{}
}

func addFields(t reflect.Type, props obj) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			addFields(ft, props)
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type)
	}
}
