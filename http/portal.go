package http

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names of the portal.
const (
	sessionCookie = "glpinet_session"
	csrfCookie    = "glpinet_csrf"
	langCookie    = "glpinet_lang"
	// sessionTTL is how long a portal session lasts without logging in again.
	sessionTTL = 12 * time.Hour
)

// pages are the portal's templates, each parsed with the layout.
type pages map[string]*template.Template

func parsePages() pages {
	funcs := template.FuncMap{
		"t":    pt,
		"date": func(t any) string { return glpinet.FormatDate(derefTime(t)) },
		"lastday": func(t any) string {
			return glpinet.LastDay(derefTime(t))
		},
		"datetime": func(t any) string { return derefTime(t).UTC().Format("2006-01-02 15:04 UTC") },
		"join":     strings.Join,
		"langs":    func() []string { return languages },
		"desc":     description,
	}
	out := pages{}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return out
}

func derefTime(t any) time.Time {
	switch v := t.(type) {
	case time.Time:
		return v
	case *time.Time:
		if v != nil {
			return *v
		}
	}
	return time.Time{}
}

// pageData is what every page template receives.
type pageData struct {
	Page      string // the template's name, on <main data-page> for scripts and tests
	Lang      string
	Title     string
	User      *glpinet.User
	Account   *glpinet.Account
	CSRF      string
	Flash     string
	Error     string
	CanManage bool // the user may change the account's keys and members
	Data      any
}

// visitor is who is asking: a logged-in user, or nobody.
type visitor struct {
	session *glpinet.Session
	user    *glpinet.User
	lang    string
}

// securityHeaders are set on every portal page: no inline script may run,
// no other site may frame or submit to the portal.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "+
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

// secure reports whether the request reached us over HTTPS, directly or
// through a trusted proxy: cookies are then marked Secure.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || s.forwarded(r) && r.Header.Get("X-Forwarded-Proto") == "https"
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// visitorOf reads the session cookie and the language.
func (s *Server) visitorOf(w http.ResponseWriter, r *http.Request) visitor {
	var v visitor
	if c, err := r.Cookie(sessionCookie); err == nil && strings.HasPrefix(c.Value, auth.PrefixSession) {
		// Unknown cookies from one address past a budget are not looked
		// up: the visitor is then anonymous, and costs no database read.
		addr, now, hash := clientKey(s.clientIP(r)), s.Now(), auth.HashToken(c.Value)
		if !s.unknownCredentials.exhausted(addr, now) || s.validCredentials.known(hash, now) {
			sess, u, err := s.Store.FindSession(r.Context(), hash)
			if err == nil {
				v.session, v.user = sess, u
				s.validCredentials.remember(hash, now)
			} else if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
				s.unknownCredentials.allow(addr, now)
				// Ended or expired: the browser need not send it again.
				s.setCookie(w, r, sessionCookie, "", -time.Second)
			}
		}
	}
	v.lang = s.portalLang(w, r, v.user)
	return v
}

// portalLang picks the page language: ?lang= (remembered in a cookie), the
// cookie, the user's preference, then Accept-Language.
func (s *Server) portalLang(w http.ResponseWriter, r *http.Request, u *glpinet.User) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		l = language(l)
		s.setCookie(w, r, langCookie, l, 365*24*time.Hour)
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		return language(c.Value)
	}
	if u != nil && u.Lang != "" {
		return language(u.Lang)
	}
	return language(r.Header.Get("Accept-Language"))
}

// csrfFor returns the token forms must echo: the session's, or for
// anonymous forms one kept in a cookie (double submit).
func (s *Server) csrfFor(w http.ResponseWriter, r *http.Request, v visitor) string {
	if v.session != nil {
		return v.session.CSRF
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok, _ := auth.NewToken("")
	s.setCookie(w, r, csrfCookie, tok, 0)
	return tok
}

// checkCSRF verifies a state-changing request: same-origin Origin header
// when present, and the form's token.
func (s *Server) checkCSRF(r *http.Request, v visitor) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	want := ""
	if v.session != nil {
		want = v.session.CSRF
	} else if c, err := r.Cookie(csrfCookie); err == nil {
		want = c.Value
	}
	got := r.PostFormValue("csrf")
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// render writes a page with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	t := s.templates[page]
	d.Page = page
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		s.Logger.Error("render", "page", page, "err", err, "request_id", RequestID(r.Context()))
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	securityHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// message renders a page that only says something (errors, refusals).
func (s *Server) message(w http.ResponseWriter, r *http.Request, v visitor, status int, titleID, text string) {
	s.render(w, r, status, "message", pageData{Lang: v.lang, Title: pt(v.lang, titleID), User: v.user, CSRF: s.csrfFor(w, r, v), Data: text})
}

// userPage wraps a handler that needs a logged-in customer or operator.
func (s *Server) userPage(fn func(w http.ResponseWriter, r *http.Request, v visitor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := s.visitorOf(w, r)
		if v.user == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !s.checkCSRF(r, v) {
			s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
			return
		}
		fn(w, r, v)
	}
}

// portalRoutes adds the portal to mux.
func (s *Server) portalRoutes(mux *http.ServeMux) {
	s.templates = parsePages()
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	s.routeHandler(mux, "GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// File names carry their version (htmx-2.0.11.min.js): cache long.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})))
	s.route(mux, "GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if v := s.visitorOf(w, r); v.user != nil {
			to := "/dashboard"
			if v.user.Role == glpinet.RoleOperator {
				to = "/operator/accounts"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	s.route(mux, "GET /login", s.handleLoginPage)
	s.route(mux, "POST /login", s.handleLogin)
	s.route(mux, "GET /signup", s.handleSignupPage)
	s.route(mux, "POST /signup", s.handleSignup)
	s.route(mux, "POST /logout", s.userPage(s.handleLogout))
	s.route(mux, "GET /dashboard", s.userPage(s.handleDashboard))
	s.route(mux, "GET /keys", s.userPage(s.handleKeysPage))
	s.route(mux, "POST /keys", s.userPage(s.handleKeyGenerate))
	s.route(mux, "POST /keys/{id}/rotate", s.userPage(s.handleKeyRotate))
	s.route(mux, "POST /keys/{id}/revoke", s.userPage(s.handleKeyRevoke))
	s.route(mux, "GET /instances", s.userPage(s.handleInstances))
	s.route(mux, "GET /offers", s.userPage(s.handleOffersPage))
	s.route(mux, "GET /marketplace", s.userPage(s.handleMarketplacePage))
	s.route(mux, "GET /members", s.userPage(s.handleMembersPage))
	s.route(mux, "POST /members/invitations", s.userPage(s.handleInvitationCreate))
	s.route(mux, "POST /members/invitations/{id}/revoke", s.userPage(s.handleInvitationRevoke))
	s.route(mux, "GET /password", s.userPage(s.handlePasswordPage))
	s.route(mux, "POST /password", s.userPage(s.handlePassword))
	s.route(mux, "GET /tokens", s.userPage(s.handleTokensPage))
	s.route(mux, "POST /tokens", s.userPage(s.handleTokenCreate))
	s.route(mux, "POST /tokens/{id}/revoke", s.userPage(s.handleTokenRevoke))
	s.operatorRoutes(mux)
	s.route(mux, "GET /join/{code}", s.handleJoinPage)
	s.route(mux, "POST /join/{code}", s.handleJoin)
}

// description returns a plugin's short or long text in lang, for forms.
func description(p *glpinet.Plugin, lang, which string) string {
	for _, d := range p.Descriptions {
		if d.Lang == lang {
			if which == "long" {
				return d.Long
			}
			return d.Short
		}
	}
	return ""
}
