package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
)

// loginForm is the login page's form: Next is the local page to go to
// once signed in (the one that sent the visitor here, or the one a mailed
// link names), kept in the form's action across a failed attempt.
type loginForm struct{ Email, Next string }

// nextOf returns the request's ?next= when it is a local path, "" otherwise.
func nextOf(r *http.Request) string {
	if next := r.URL.Query().Get("next"); localPath(next) {
		return next
	}
	return ""
}

func (h *Handler) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	h.render(w, r, http.StatusOK, "login", pageData{Lang: v.lang, Title: pt(v.lang, "login.title"), CSRF: h.csrfFor(w, r, v), Data: loginForm{Next: nextOf(r)}})
}

func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	if !h.checkCSRF(r, v) {
		h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
		return
	}
	email := glpinet.NormalizeEmail(r.PostFormValue("email"))
	fail := func(status int, msgID string) {
		h.render(w, r, status, "login", pageData{Lang: v.lang, Title: pt(v.lang, "login.title"), CSRF: h.csrfFor(w, r, v),
			Error: pt(v.lang, msgID), Data: loginForm{Email: email, Next: nextOf(r)}})
	}
	addr := httpx.ClientKey(h.Proxies.ClientIP(r))
	pair := newAttempt(loginPerEmailAndAddress, email, addr)
	counters := []attempt{pair, newAttempt(loginPerAddress, addr)}
	known, err := h.knownPlace(r, email, addr)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	if !known {
		counters = append(counters, newAttempt(loginPerEmail, email))
	}
	// Counted before the password is judged: simultaneous guesses count
	// one each, and a refused guess costs no hash.
	if refused, err := h.reserveAttempts(w, r, counters...); err != nil {
		h.Error(w, r, err)
		return
	} else if refused {
		h.logFailedLogin(r, email, "too many attempts")
		fail(http.StatusTooManyRequests, "login.locked")
		return
	}
	password := r.PostFormValue("password")
	u, err := h.Store.FindUserByEmail(r.Context(), email)
	if err == nil {
		err = h.checkPassword(r.Context(), password, u.PasswordHash)
		if err == nil && u.Disabled() {
			// Refused as a wrong password is, after the same work: the
			// visitor learns nothing of the account's state. Whoever
			// runs the server is told, as the right password of a
			// disabled user is worth a look.
			h.Logger.LogAttrs(r.Context(), slog.LevelWarn, "sign-in refused",
				slog.String("reason", "user disabled"),
				slog.Int64("user", u.ID),
				slog.String("client", h.Proxies.ClientIP(r).String()),
				slog.String("request_id", httpx.RequestID(r.Context())))
			fail(http.StatusUnauthorized, "login.failed")
			return
		}
	} else if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
		// Spend the time a real check takes, so that response times do
		// not tell which addresses have an account.
		if cerr := h.checkPassword(r.Context(), password, h.dummyHash); glpinet.ErrorCode(cerr) == glpinet.ETOOMANY {
			err = cerr
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, auth.ErrMismatch) || glpinet.ErrorCode(err) == glpinet.ENOTFOUND:
		h.logFailedLogin(r, email, "wrong e-mail or password")
		fail(http.StatusUnauthorized, "login.failed")
		return
	case glpinet.ErrorCode(err) == glpinet.ETOOMANY:
		httpx.RetryAfter(w, 5*time.Second)
		fail(http.StatusTooManyRequests, "login.busy")
		return
	default:
		h.Error(w, r, err)
		return
	}
	if err := h.attempts.forget(r.Context(), pair); err != nil {
		h.Logger.Warn("clearing a login counter", "err", err, "request_id", httpx.RequestID(r.Context()))
	}
	if err := h.rememberPlace(r, email, addr); err != nil {
		h.Logger.Warn("recording a login's place", "err", err, "request_id", httpx.RequestID(r.Context()))
	}
	if auth.NeedsRehash(u.PasswordHash, h.passwordParams()) {
		if hash, err := h.hashPassword(r.Context(), password); err == nil {
			h.Store.SetPassword(r.Context(), u.ID, hash)
		}
	}
	if err := h.startSession(w, r, u); err != nil {
		h.Error(w, r, err)
		return
	}
	next := r.URL.Query().Get("next")
	if !localPath(next) {
		next = "/dashboard" // only local paths: no open redirect
		if u.Role == glpinet.RoleOperator {
			next = "/operator/accounts"
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logFailedLogin logs a refused sign-in at info: the client's address
// (behind a trusted proxy, the forwarded one), for fail2ban and the like,
// and the domain of the e-mail address, not the address: enough to see
// which customer is being tried, without logging the addresses people
// mistype, or the password some type in the e-mail field (a hash of the
// address would not hide it: it is checked against any list of addresses
// in an instant).
func (h *Handler) logFailedLogin(r *http.Request, email, reason string) {
	_, domain, _ := strings.Cut(email, "@")
	if len(domain) > 100 {
		domain = domain[:100]
	}
	h.Logger.LogAttrs(r.Context(), slog.LevelInfo, "sign-in refused",
		slog.String("reason", reason),
		slog.String("email_domain", domain),
		slog.String("client", h.Proxies.ClientIP(r).String()),
		slog.String("request_id", httpx.RequestID(r.Context())))
}

// localPath reports whether next is a path of this site, safe to redirect
// to after logging in: it starts with one "/", and nothing in it can make
// a browser read it as another host ("//host", "/\\host", and "/\thost"
// or "/\nhost", which browsers read as "//host" once they drop tabs and
// line breaks from URLs).
func localPath(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.ContainsAny(next, "\\") {
		return false
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return !strings.HasPrefix(next, "//")
}

// startSession creates a session for u and sets its cookie.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u *glpinet.User) error {
	tok, err := auth.NewToken(auth.PrefixSession)
	if err != nil {
		return err
	}
	csrf, err := auth.NewToken("")
	if err != nil {
		return err
	}
	sess := &glpinet.Session{Hash: auth.HashToken(tok), UserID: u.ID, CSRF: csrf, ExpiresAt: h.Now().Add(sessionTTL)}
	if err := h.Store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	h.setCookie(w, r, sessionCookie, tok, sessionTTL)
	return nil
}

func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request, v visitor) {
	if err := h.Store.DeleteSession(r.Context(), v.session.Hash); err != nil {
		h.Error(w, r, err)
		return
	}
	h.setCookie(w, r, sessionCookie, "", -time.Second)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type signupForm struct{ Organisation, Name, Email string }

func (h *Handler) handleSignupPage(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	h.render(w, r, http.StatusOK, "signup", pageData{Lang: v.lang, Title: pt(v.lang, "signup.title"), CSRF: h.csrfFor(w, r, v), Data: signupForm{}})
}

func (h *Handler) handleSignup(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	if !h.checkCSRF(r, v) {
		h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
		return
	}
	form := signupForm{Organisation: strings.TrimSpace(r.PostFormValue("organisation")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Email: glpinet.NormalizeEmail(r.PostFormValue("email"))}
	fail := func(status int, msg string) {
		h.render(w, r, status, "signup", pageData{Lang: v.lang, Title: pt(v.lang, "signup.title"), CSRF: h.csrfFor(w, r, v), Error: msg, Data: form})
	}
	if refused, err := h.reserveAttempts(w, r, newAttempt(signupPerAddress, httpx.ClientKey(h.Proxies.ClientIP(r)))); err != nil {
		h.Error(w, r, err)
		return
	} else if refused {
		fail(http.StatusTooManyRequests, pt(v.lang, "signup.throttled"))
		return
	}
	a := &glpinet.Account{Name: form.Organisation}
	u := &glpinet.User{Email: form.Email, Name: form.Name, Lang: v.lang}
	signUp := func(u *glpinet.User) error {
		return h.storeNewUser(u, func(u *glpinet.User) error { return h.Store.SignUp(r.Context(), a, u) },
			func(u *glpinet.User, req glpinet.EmailVerificationRequest) error {
				return h.Store.SignUpToVerify(r.Context(), a, u, req)
			})
	}
	if !h.createUser(w, r, v, u, signUp, fail) {
		return
	}
	http.Redirect(w, r, "/keys", http.StatusSeeOther)
}

// newPasswordHash checks and hashes a new password; problem is what to
// tell the person when it is refused, status its HTTP status.
func (h *Handler) newPasswordHash(ctx context.Context, lang, password string) (hash, problem string, status int) {
	switch service.CheckPassword(password) {
	case service.ErrPasswordShort:
		return "", pt(lang, "signup.weak"), http.StatusBadRequest
	case service.ErrPasswordLong:
		return "", pt(lang, "signup.long"), http.StatusBadRequest
	}
	hash, err := h.hashPassword(ctx, password)
	if glpinet.ErrorCode(err) == glpinet.ETOOMANY {
		return "", pt(lang, "login.busy"), http.StatusTooManyRequests
	} else if err != nil {
		return "", err.Error(), http.StatusInternalServerError
	}
	return hash, "", 0
}

// createUser gives u the form's password, stores it with create (sign-up
// or invitation) and logs it in. It renders refusals with fail and reports
// whether the user was created.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, v visitor, u *glpinet.User,
	create func(*glpinet.User) error, fail func(status int, msg string)) bool {
	hash, problem, status := h.newPasswordHash(r.Context(), v.lang, r.PostFormValue("password"))
	if problem != "" {
		fail(status, problem)
		return false
	}
	u.PasswordHash = hash
	if err := create(u); err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINVALID || code == glpinet.ECONFLICT {
			fail(httpx.ErrorStatus(code), glpinet.ErrorMessage(err))
			return false
		}
		h.Error(w, r, err)
		return false
	}
	if err := h.startSession(w, r, u); err != nil {
		h.Error(w, r, err)
		return false
	}
	return true
}
