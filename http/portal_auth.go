package http

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/service"
)

type loginForm struct{ Email string }

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	v := s.visitorOf(w, r)
	s.render(w, r, http.StatusOK, "login", pageData{Lang: v.lang, Title: pt(v.lang, "login.title"), CSRF: s.csrfFor(w, r, v), Data: loginForm{}})
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	v := s.visitorOf(w, r)
	if !s.checkCSRF(r, v) {
		s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
		return
	}
	email := glpinet.NormalizeEmail(r.PostFormValue("email"))
	fail := func(status int, msgID string) {
		s.render(w, r, status, "login", pageData{Lang: v.lang, Title: pt(v.lang, "login.title"), CSRF: s.csrfFor(w, r, v),
			Error: pt(v.lang, msgID), Data: loginForm{Email: email}})
	}
	addr := clientKey(s.clientIP(r))
	pair := newAttempt(loginPerEmailAndAddress, email, addr)
	counters := []attempt{pair, newAttempt(loginPerAddress, addr)}
	known, err := s.knownPlace(r, email, addr)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !known {
		counters = append(counters, newAttempt(loginPerEmail, email))
	}
	// Counted before the password is judged: simultaneous guesses count
	// one each, and a refused guess costs no hash.
	if refused, err := s.reserveAttempts(w, r, counters...); err != nil {
		s.Error(w, r, err)
		return
	} else if refused {
		fail(http.StatusTooManyRequests, "login.locked")
		return
	}
	password := r.PostFormValue("password")
	u, err := s.Store.FindUserByEmail(r.Context(), email)
	if err == nil {
		err = s.checkPassword(r.Context(), password, u.PasswordHash)
	} else if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
		// Spend the time a real check takes, so that response times do
		// not tell which addresses have an account.
		if cerr := s.checkPassword(r.Context(), password, s.dummyHash); glpinet.ErrorCode(cerr) == glpinet.ETOOMANY {
			err = cerr
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, auth.ErrMismatch) || glpinet.ErrorCode(err) == glpinet.ENOTFOUND:
		fail(http.StatusUnauthorized, "login.failed")
		return
	case glpinet.ErrorCode(err) == glpinet.ETOOMANY:
		retryAfter(w, 5*time.Second)
		fail(http.StatusTooManyRequests, "login.busy")
		return
	default:
		s.Error(w, r, err)
		return
	}
	if err := s.attempts.forget(r.Context(), pair); err != nil {
		s.Logger.Warn("clearing a login counter", "err", err, "request_id", RequestID(r.Context()))
	}
	if err := s.rememberPlace(r, email, addr); err != nil {
		s.Logger.Warn("recording a login's place", "err", err, "request_id", RequestID(r.Context()))
	}
	if auth.NeedsRehash(u.PasswordHash, s.passwordParams()) {
		if h, err := s.hashPassword(r.Context(), password); err == nil {
			s.Store.SetPassword(r.Context(), u.ID, h)
		}
	}
	if err := s.startSession(w, r, u); err != nil {
		s.Error(w, r, err)
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
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *glpinet.User) error {
	tok, err := auth.NewToken(auth.PrefixSession)
	if err != nil {
		return err
	}
	csrf, err := auth.NewToken("")
	if err != nil {
		return err
	}
	sess := &glpinet.Session{Hash: auth.HashToken(tok), UserID: u.ID, CSRF: csrf, ExpiresAt: s.Now().Add(sessionTTL)}
	if err := s.Store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, tok, sessionTTL)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, v visitor) {
	if err := s.Store.DeleteSession(r.Context(), v.session.Hash); err != nil {
		s.Error(w, r, err)
		return
	}
	s.setCookie(w, r, sessionCookie, "", -time.Second)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type signupForm struct{ Organisation, Name, Email string }

func (s *Server) handleSignupPage(w http.ResponseWriter, r *http.Request) {
	v := s.visitorOf(w, r)
	s.render(w, r, http.StatusOK, "signup", pageData{Lang: v.lang, Title: pt(v.lang, "signup.title"), CSRF: s.csrfFor(w, r, v), Data: signupForm{}})
}

func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) {
	v := s.visitorOf(w, r)
	if !s.checkCSRF(r, v) {
		s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
		return
	}
	form := signupForm{Organisation: strings.TrimSpace(r.PostFormValue("organisation")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Email: glpinet.NormalizeEmail(r.PostFormValue("email"))}
	fail := func(status int, msg string) {
		s.render(w, r, status, "signup", pageData{Lang: v.lang, Title: pt(v.lang, "signup.title"), CSRF: s.csrfFor(w, r, v), Error: msg, Data: form})
	}
	if refused, err := s.reserveAttempts(w, r, newAttempt(signupPerAddress, clientKey(s.clientIP(r)))); err != nil {
		s.Error(w, r, err)
		return
	} else if refused {
		fail(http.StatusTooManyRequests, pt(v.lang, "signup.throttled"))
		return
	}
	a := &glpinet.Account{Name: form.Organisation}
	u := &glpinet.User{Email: form.Email, Name: form.Name, Lang: v.lang}
	if !s.createUser(w, r, v, u, func(u *glpinet.User) error { return s.Store.SignUp(r.Context(), a, u) }, fail) {
		return
	}
	http.Redirect(w, r, "/keys", http.StatusSeeOther)
}

// newPasswordHash checks and hashes a new password; problem is what to
// tell the person when it is refused, status its HTTP status.
func (s *Server) newPasswordHash(ctx context.Context, lang, password string) (hash, problem string, status int) {
	switch service.CheckPassword(password) {
	case service.ErrPasswordShort:
		return "", pt(lang, "signup.weak"), http.StatusBadRequest
	case service.ErrPasswordLong:
		return "", pt(lang, "signup.long"), http.StatusBadRequest
	}
	hash, err := s.hashPassword(ctx, password)
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
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, v visitor, u *glpinet.User,
	create func(*glpinet.User) error, fail func(status int, msg string)) bool {
	hash, problem, status := s.newPasswordHash(r.Context(), v.lang, r.PostFormValue("password"))
	if problem != "" {
		fail(status, problem)
		return false
	}
	u.PasswordHash = hash
	if err := create(u); err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINVALID || code == glpinet.ECONFLICT {
			fail(ErrorStatus(code), glpinet.ErrorMessage(err))
			return false
		}
		s.Error(w, r, err)
		return false
	}
	if err := s.startSession(w, r, u); err != nil {
		s.Error(w, r, err)
		return false
	}
	return true
}
