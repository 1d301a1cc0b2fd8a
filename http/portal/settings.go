package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/httpx"
)

func (h *Handler) handlePasswordPage(w http.ResponseWriter, r *http.Request, v visitor) {
	h.render(w, r, http.StatusOK, "password", pageData{Lang: v.lang, Title: pt(v.lang, "password.title"), User: v.user, CSRF: h.csrfFor(w, r, v)})
}

// handlePassword changes the user's password after checking the current
// one. The store ends every session of the user; this one starts anew.
func (h *Handler) handlePassword(w http.ResponseWriter, r *http.Request, v visitor) {
	fail := func(status int, msg string) {
		h.render(w, r, status, "password", pageData{Lang: v.lang, Title: pt(v.lang, "password.title"), User: v.user, CSRF: h.csrfFor(w, r, v), Error: msg})
	}
	// The same limits as logging in: a stolen session must not become a
	// way to guess the password.
	byUser := newAttempt(passwordChangePerUser, strconv.FormatInt(v.user.ID, 10))
	if refused, err := h.reserveAttempts(w, r, byUser, newAttempt(loginPerAddress, httpx.ClientKey(h.Proxies.ClientIP(r)))); err != nil {
		h.Error(w, r, err)
		return
	} else if refused {
		fail(http.StatusTooManyRequests, pt(v.lang, "login.locked"))
		return
	}
	if err := h.checkPassword(r.Context(), r.PostFormValue("current"), v.user.PasswordHash); err != nil {
		switch {
		case errors.Is(err, auth.ErrMismatch):
			fail(http.StatusUnauthorized, pt(v.lang, "password.wrong"))
		case glpinet.ErrorCode(err) == glpinet.ETOOMANY:
			httpx.RetryAfter(w, 5*time.Second)
			fail(http.StatusTooManyRequests, pt(v.lang, "login.busy"))
		default:
			h.Error(w, r, err)
		}
		return
	}
	hash, problem, status := h.newPasswordHash(r.Context(), v.lang, r.PostFormValue("new"))
	if problem != "" {
		fail(status, problem)
		return
	}
	if err := h.attempts.forget(r.Context(), byUser); err != nil {
		h.Logger.Warn("clearing a password counter", "err", err, "request_id", httpx.RequestID(r.Context()))
	}
	if err := h.Store.SetPassword(h.actor(r, v), v.user.ID, hash); err != nil {
		h.Error(w, r, err)
		return
	}
	if err := h.startSession(w, r, v.user); err != nil {
		h.Error(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "message", pageData{Lang: v.lang, Title: pt(v.lang, "password.title"), User: v.user,
		Data: pt(v.lang, "password.done")})
}

type opOffersData struct {
	Offers []*glpinet.Offer
	Tags   []*glpinet.TagCount
}

func (h *Handler) renderOpOffers(w http.ResponseWriter, r *http.Request, v visitor, errMsg string) {
	offers, err := h.Store.ListOffers(r.Context())
	if err != nil {
		h.Error(w, r, err)
		return
	}
	tags, err := h.Store.ListTags(r.Context())
	if err != nil {
		h.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "op_offers", pageData{Lang: v.lang, Title: pt(v.lang, "op.offers"), User: v.user, CSRF: h.csrfFor(w, r, v),
		Error: errMsg, Data: opOffersData{Offers: offers, Tags: tags}})
}

func (h *Handler) handleOpOffers(w http.ResponseWriter, r *http.Request, v visitor) {
	h.renderOpOffers(w, r, v, "")
}

// handleOpSaveOffer creates (reference from the form) or changes (from the
// path) an offer.
func (h *Handler) handleOpSaveOffer(w http.ResponseWriter, r *http.Request, v visitor) {
	ref := r.PathValue("ref")
	if ref == "" {
		ref = strings.TrimSpace(r.PostFormValue("reference"))
	}
	level, err := strconv.Atoi(r.PostFormValue("level"))
	if err != nil {
		h.renderOpOffers(w, r, v, "Level: "+err.Error())
		return
	}
	o := &glpinet.Offer{Reference: ref, Level: level, Features: splitComma(r.PostFormValue("features")),
		Titles: formTexts(r, "title_"), Prices: formTexts(r, "price_"), Descriptions: formTexts(r, "description_")}
	if err := h.Store.SaveOffer(h.actor(r, v), o); err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			h.renderOpOffers(w, r, v, glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator/offers", http.StatusSeeOther)
}

// formTexts reads the form's fields prefix+language into a text per
// language, leaving out the empty ones (the page's language falls back to
// English, then to nothing).
func formTexts(r *http.Request, prefix string) map[string]string {
	m := map[string]string{}
	for _, lang := range httpx.Languages {
		if t := strings.TrimSpace(r.PostFormValue(prefix + lang)); t != "" {
			m[lang] = t
		}
	}
	return m
}

func (h *Handler) handleOpSaveTag(w http.ResponseWriter, r *http.Request, v visitor) {
	t := &glpinet.Tag{Key: r.PathValue("key"), Names: map[string]string{}}
	for _, lang := range httpx.Languages {
		if n := strings.TrimSpace(r.PostFormValue("name_" + lang)); n != "" {
			t.Names[lang] = n
		}
	}
	if err := h.Store.SaveTag(h.actor(r, v), t); err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			h.renderOpOffers(w, r, v, glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator/offers", http.StatusSeeOther)
}
