package portal

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/httpx"
)

// The limits on reset requests: per address, against one client mailing
// many people; per e-mail, so that nobody's mailbox can be filled with
// links. Both are counted whether the address has an account or not, so
// that a refusal says nothing about it either.
var (
	forgotPerAddress = attemptRule{"forgot-addr", 10, 15 * time.Minute}
	forgotPerEmail   = attemptRule{"forgot-email", 5, time.Hour}
	// resetPerAddress bounds the new passwords hashed for one address.
	resetPerAddress = attemptRule{"reset-addr", 20, 15 * time.Minute}
)

// forgotFloor is the least time a reset request takes to answer: an
// address with an account costs a write and a mail, one without a read,
// and the difference must not show which addresses have an account.
const forgotFloor = 250 * time.Millisecond

type forgotForm struct {
	Email string
	Sent  bool // the request was taken: the page says a link was sent, if an account exists
}

type resetForm struct {
	Token   string
	Done    bool // the password was changed
	Invalid bool // the link is unknown, used or expired
}

// resetRoutes mounts the forgotten-password pages.
func (h *Handler) resetRoutes(route func(pattern string, h http.HandlerFunc)) {
	route("GET /password/forgot", h.handleForgotPage)
	route("POST /password/forgot", h.handleForgot)
	// The token is in the path, which httpx.LoggedPath hides as
	// {token}: a mail client cannot lose a query string, and no log
	// shows it.
	route("GET /password/reset/{token}", h.handleResetPage)
	route("POST /password/reset/{token}", h.handleReset)
}

func (h *Handler) handleForgotPage(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	h.render(w, r, http.StatusOK, "forgot", pageData{Lang: v.lang, Title: pt(v.lang, "forgot.title"), User: v.user, CSRF: h.csrfFor(w, r, v), Data: forgotForm{}})
}

func (h *Handler) handleForgot(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	v := h.visitorOf(w, r)
	if !h.checkCSRF(r, v) {
		h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
		return
	}
	email := glpinet.NormalizeEmail(r.PostFormValue("email"))
	page := func(status int, form forgotForm, msg string) {
		h.render(w, r, status, "forgot", pageData{Lang: v.lang, Title: pt(v.lang, "forgot.title"), User: v.user, CSRF: h.csrfFor(w, r, v),
			Error: msg, Data: form})
	}
	addr := httpx.ClientKey(h.Proxies.ClientIP(r))
	if refused, err := h.reserveAttempts(w, r, newAttempt(forgotPerAddress, addr), newAttempt(forgotPerEmail, email)); err != nil {
		h.Error(w, r, err)
		return
	} else if refused {
		page(http.StatusTooManyRequests, forgotForm{Email: email}, pt(v.lang, "forgot.throttled"))
		return
	}
	if err := h.requestReset(r.Context(), r, email); err != nil {
		h.Error(w, r, err)
		return
	}
	waitUntil(r.Context(), start.Add(forgotFloor))
	page(http.StatusOK, forgotForm{Sent: true}, "")
}

// requestReset stores a reset link for email and queues its mail, or does
// nothing when no enabled user has that address: the caller answers the
// same either way. Without a public URL nothing is sent: a link built from
// the request's Host would let anyone who asks for someone else's reset
// choose the host the mailed link points to, and collect the token there.
func (h *Handler) requestReset(ctx context.Context, r *http.Request, email string) error {
	base := h.mailBase()
	if base == "" {
		h.Logger.LogAttrs(ctx, slog.LevelWarn, "password reset link not sent: no --public-url to build it with",
			slog.String("request_id", httpx.RequestID(ctx)))
		return nil
	}
	tok, err := auth.NewToken(auth.PrefixReset)
	if err != nil {
		return err
	}
	_, err = h.Store.CreatePasswordReset(ctx, glpinet.PasswordResetRequest{Email: email, Hash: auth.HashToken(tok),
		Link: base + "/password/reset/" + url.PathEscape(tok)})
	if code := glpinet.ErrorCode(err); code == glpinet.ENOTFOUND || code == glpinet.EINVALID {
		// No such user, or no e-mail address at all: the same answer.
		return nil
	} else if err != nil {
		return err
	}
	return nil
}

// mailBase is the absolute root links in mails start with: the
// configured public URL (--public-url), never one built from a request,
// which its sender chooses; "" when none is configured.
func (h *Handler) mailBase() string {
	if h.GLPI == nil {
		return ""
	}
	return strings.TrimRight(h.GLPI.PublicURL, "/")
}

// sentMailBase is mailBase when mails leave the outbox (--smtp), "" when
// they would wait there for ever: a mail someone asks for by hand
// (an invitation) is then refused rather than silently never sent.
func (h *Handler) sentMailBase() string {
	if !h.SendsMail {
		return ""
	}
	return h.mailBase()
}

// waitUntil sleeps until t, or until ctx ends.
func waitUntil(ctx context.Context, t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// resetPage renders the reset page: the link is a secret, which the
// Referer of links and resources on it must not carry elsewhere.
func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request, v visitor, status int, form resetForm, msg string) {
	h.render(noReferrer{w}, r, status, "reset", pageData{Lang: v.lang, Title: pt(v.lang, "reset.title"), User: v.user, CSRF: h.csrfFor(w, r, v),
		Error: msg, Data: form})
}

func (h *Handler) handleResetPage(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	tok := r.PathValue("token")
	if !strings.HasPrefix(tok, auth.PrefixReset) {
		h.resetPage(w, r, v, http.StatusNotFound, resetForm{Invalid: true}, "")
		return
	}
	// Judged now, so that nobody types a new password twice for a link
	// that is worth nothing; the store judges again when it is used.
	p, err := h.Store.FindPasswordReset(r.Context(), auth.HashToken(tok))
	if glpinet.ErrorCode(err) == glpinet.ENOTFOUND || err == nil && p.Usable(h.Now()) != nil {
		h.resetPage(w, r, v, http.StatusGone, resetForm{Invalid: true}, "")
		return
	} else if err != nil {
		h.Error(w, r, err)
		return
	}
	h.resetPage(w, r, v, http.StatusOK, resetForm{Token: tok}, "")
}

func (h *Handler) handleReset(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	if !h.checkCSRF(r, v) {
		h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
		return
	}
	tok := r.PathValue("token")
	form := resetForm{Token: tok}
	if !strings.HasPrefix(tok, auth.PrefixReset) {
		h.resetPage(w, r, v, http.StatusNotFound, resetForm{Invalid: true}, "")
		return
	}
	if refused, err := h.reserveAttempts(w, r, newAttempt(resetPerAddress, httpx.ClientKey(h.Proxies.ClientIP(r)))); err != nil {
		h.Error(w, r, err)
		return
	} else if refused {
		h.resetPage(w, r, v, http.StatusTooManyRequests, form, pt(v.lang, "forgot.throttled"))
		return
	}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("repeat") {
		h.resetPage(w, r, v, http.StatusBadRequest, form, pt(v.lang, "reset.mismatch"))
		return
	}
	hash, problem, status := h.newPasswordHash(r.Context(), v.lang, password)
	if problem != "" {
		h.resetPage(w, r, v, status, form, problem)
		return
	}
	forgot := ""
	if base := h.mailBase(); base != "" {
		forgot = base + "/password/forgot"
	}
	u, err := h.Store.ResetPassword(r.Context(), glpinet.PasswordResetUse{Hash: auth.HashToken(tok), PasswordHash: hash, ForgotLink: forgot})
	if code := glpinet.ErrorCode(err); code == glpinet.ENOTFOUND || code == glpinet.EINVALID {
		h.resetPage(w, r, v, http.StatusGone, resetForm{Invalid: true}, "")
		return
	} else if err != nil {
		h.Error(w, r, err)
		return
	}
	h.Logger.LogAttrs(r.Context(), slog.LevelInfo, "password reset", slog.Int64("user", u.ID),
		slog.String("client", h.Proxies.ClientIP(r).String()), slog.String("request_id", httpx.RequestID(r.Context())))
	if v.session != nil {
		// The visitor's own session, if any, ended with the others.
		h.setCookie(w, r, sessionCookie, "", -time.Second)
		v.user = nil
	}
	h.resetPage(w, r, v, http.StatusOK, resetForm{Done: true}, "")
}

// noReferrer sends Referrer-Policy: no-referrer in place of the portal's
// same-origin, which render sets just before it writes the header.
type noReferrer struct{ http.ResponseWriter }

// WriteHeader implements http.ResponseWriter.
func (w noReferrer) WriteHeader(status int) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.ResponseWriter.WriteHeader(status)
}
