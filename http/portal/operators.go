package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/glpinet/glpinet"
)

// The operators page: who runs the server, their state, and the forms to
// add an operator and to disable or enable one, so that an operator who
// leaves is shut out from the browser rather than by whoever has a shell
// on the server. The rules (password strength, the last enabled operator)
// are the service's, as for `glpinetd operator create|disable|enable`.

type opOperatorsData struct {
	Operators []*glpinet.User
	Self      int64 // the visitor's ID: no "disable" on their own row
}

func (h *Handler) operatorsRoutes(route func(pattern string, h http.HandlerFunc)) {
	route("GET /operator/operators", h.operatorPage(h.handleOpOperators))
	route("POST /operator/operators", h.operatorPage(h.handleOpOperatorCreate))
	route("POST /operator/operators/{id}/state", h.operatorPage(h.handleOpOperatorState))
}

func (h *Handler) handleOpOperators(w http.ResponseWriter, r *http.Request, v visitor) {
	h.renderOpOperators(w, r, v, http.StatusOK, "", "")
}

func (h *Handler) renderOpOperators(w http.ResponseWriter, r *http.Request, v visitor, status int, flash, errMsg string) {
	ops, err := h.Store.ListOperators(r.Context())
	if err != nil {
		h.Error(w, r, err)
		return
	}
	h.render(w, r, status, "op_operators", pageData{Lang: v.lang, Title: pt(v.lang, "op.operators"), User: v.user,
		CSRF: h.csrfFor(w, r, v), Flash: flash, Error: errMsg, Data: opOperatorsData{Operators: ops, Self: v.user.ID}})
}

func (h *Handler) handleOpOperatorCreate(w http.ResponseWriter, r *http.Request, v visitor) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("password2") {
		h.renderOpOperators(w, r, v, http.StatusUnprocessableEntity, "", pt(v.lang, "op.passwordsdiffer"))
		return
	}
	var u *glpinet.User
	// The argon2id hash within the server's budget of hashes at once.
	err := h.passwords.do(r.Context(), func() error {
		var err error
		u, err = h.rules().CreateOperator(h.actor(r, v), email, name, password)
		return err
	})
	if err != nil {
		if c := glpinet.ErrorCode(err); c == glpinet.EINVALID || c == glpinet.ECONFLICT || c == glpinet.ETOOMANY {
			h.renderOpOperators(w, r, v, http.StatusUnprocessableEntity, "", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	h.renderOpOperators(w, r, v, http.StatusOK, fmt.Sprintf(pt(v.lang, "op.operatorcreated"), u.Email), "")
}

func (h *Handler) handleOpOperatorState(w http.ResponseWriter, r *http.Request, v visitor) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	}
	op, err := h.Store.FindUserByID(r.Context(), id)
	if glpinet.ErrorCode(err) == glpinet.ENOTFOUND || err == nil && op.Role != glpinet.RoleOperator {
		// A customer's ID, or none: operators manage operators here.
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return
	} else if err != nil {
		h.Error(w, r, err)
		return
	}
	disable := r.PostFormValue("state") == "disabled"
	if disable && op.ID == v.user.ID {
		// Shutting oneself out is never what a click meant.
		h.renderOpOperators(w, r, v, http.StatusConflict, "", pt(v.lang, "op.notyourself"))
		return
	}
	if _, _, err := h.rules().SetDisabled(h.actor(r, v), op.Email, disable); err != nil {
		if c := glpinet.ErrorCode(err); c == glpinet.EINVALID || c == glpinet.ECONFLICT || c == glpinet.EFORBIDDEN {
			h.renderOpOperators(w, r, v, http.StatusConflict, "", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	msg := "op.operatorenabled"
	if disable {
		msg = "op.operatordisabled"
	}
	h.renderOpOperators(w, r, v, http.StatusOK, fmt.Sprintf(pt(v.lang, msg), op.Email), "")
}
