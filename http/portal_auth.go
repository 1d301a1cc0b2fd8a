package http

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// loginLimiter locks an e-mail address for lockout after maxFailures
// failed logins within failureWindow (enough for a person who mistypes, far
// too few for guessing), and a client address after maxAddrFailures (higher:
// many people may share one address behind a NAT).
type loginLimiter struct {
	mu       sync.Mutex
	failures map[string]*failures
}

type failures struct {
	n           int
	first       time.Time
	lockedUntil time.Time
}

const (
	maxFailures     = 5
	maxAddrFailures = 50
	failureWindow   = 15 * time.Minute
	lockout         = 15 * time.Minute
	maxLimiterEntry = 100_000
)

// locked reports whether any of keys is locked at now.
func (l *loginLimiter) locked(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if f := l.failures[k]; f != nil && now.Before(f.lockedUntil) {
			return true
		}
	}
	return false
}

// fail counts a failed login for keys.
func (l *loginLimiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil || len(l.failures) > maxLimiterEntry {
		l.failures = map[string]*failures{}
	}
	for _, k := range keys {
		f := l.failures[k]
		if f == nil || now.Sub(f.first) > failureWindow {
			f = &failures{first: now}
			l.failures[k] = f
		}
		f.n++
		limit := maxFailures
		if strings.HasPrefix(k, "addr:") {
			limit = maxAddrFailures
		}
		if f.n >= limit {
			f.lockedUntil = now.Add(lockout)
		}
	}
}

// succeed forgets the failures of an e-mail address.
func (l *loginLimiter) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// clientAddr is the client's IP address, without the port.
func clientAddr(r *http.Request) string {
	addr := r.RemoteAddr
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		addr = addr[:i]
	}
	return addr
}

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
	now := s.Now()
	byEmail, byAddr := "email:"+email, "addr:"+clientAddr(r)
	if s.logins.locked(now, byEmail, byAddr) {
		fail(http.StatusTooManyRequests, "login.locked")
		return
	}
	u, err := s.Store.FindUserByEmail(r.Context(), email)
	if err == nil {
		err = auth.CheckPassword(r.PostFormValue("password"), u.PasswordHash)
	} else if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
		// Spend the time a real check takes, so that response times do
		// not tell which addresses have an account.
		auth.CheckPassword(r.PostFormValue("password"), s.dummyHash)
	}
	if err != nil {
		if glpinet.ErrorCode(err) != glpinet.EINTERNAL || err == auth.ErrMismatch {
			s.logins.fail(now, byEmail, byAddr)
			fail(http.StatusUnauthorized, "login.failed")
			return
		}
		s.Error(w, r, err)
		return
	}
	s.logins.succeed(byEmail)
	if auth.NeedsRehash(u.PasswordHash, s.passwordParams()) {
		if h, err := auth.HashPassword(r.PostFormValue("password"), s.passwordParams()); err == nil {
			s.Store.SetPassword(r.Context(), u.ID, h)
		}
	}
	if err := s.startSession(w, r, u); err != nil {
		s.Error(w, r, err)
		return
	}
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		next = "/dashboard" // only local paths: no open redirect
		if u.Role == glpinet.RoleOperator {
			next = "/operator/accounts"
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
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

// minPasswordLen is the shortest password accepted.
const minPasswordLen = 10

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
	a := &glpinet.Account{Name: form.Organisation}
	u := &glpinet.User{Email: form.Email, Name: form.Name, Lang: v.lang}
	if !s.createUser(w, r, v, u, func(u *glpinet.User) error { return s.Store.SignUp(r.Context(), a, u) }, fail) {
		return
	}
	http.Redirect(w, r, "/keys", http.StatusSeeOther)
}

// newPasswordHash checks and hashes a new password; problem is what to
// tell the person when it is refused.
func (s *Server) newPasswordHash(lang, password string) (hash, problem string) {
	if len([]rune(password)) < minPasswordLen {
		return "", pt(lang, "signup.weak")
	}
	hash, err := auth.HashPassword(password, s.passwordParams())
	if err != nil {
		return "", err.Error()
	}
	return hash, ""
}

// createUser gives u the form's password, stores it with create (sign-up
// or invitation) and logs it in. It renders refusals with fail and reports
// whether the user was created.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, v visitor, u *glpinet.User,
	create func(*glpinet.User) error, fail func(status int, msg string)) bool {
	hash, problem := s.newPasswordHash(v.lang, r.PostFormValue("password"))
	if problem != "" {
		fail(http.StatusBadRequest, problem)
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

// passwordParams are the argon2id costs for new hashes.
func (s *Server) passwordParams() auth.Params {
	if s.PasswordParams == (auth.Params{}) {
		return auth.DefaultParams
	}
	return s.PasswordParams
}
