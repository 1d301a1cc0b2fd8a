// Package portal is the web portal people use in a browser: customers sign
// up, log in, issue and rotate their registration keys, invite their
// colleagues, see their GLPI instances and the marketplace as their GLPI
// sees it; operators manage accounts, offers, subscriptions and the
// catalogue. Pages are server-rendered templates (templates/) with htmx
// (static/); their texts are in messages/. Sessions are cookies whose
// hash the store keeps, forms carry a CSRF token, passwords are argon2id
// hashes computed within a memory budget (passwords.go), and login and
// sign-up attempts are counted in the store (attempts.go). The rules it
// applies live in package service.
package portal

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/glpiapi"
	"github.com/glpinet/glpinet/http/httpx"
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

// Handler serves the portal. Set its fields, then Register its routes.
type Handler struct {
	Store glpinet.Store
	// Catalogue is the catalogue snapshot the marketplace page and the
	// operator's pages show.
	Catalogue interface{ Current() *glpinet.Catalogue }
	// GLPI is the GLPI wire API: the marketplace page shows its views, and
	// links people copy start with its base URL.
	GLPI *glpiapi.Handler
	// Publisher publishes archives uploaded by operators; nil disables
	// uploads.
	Publisher glpinet.Publisher
	// Uploads receives those archives.
	Uploads httpx.Uploads
	// Credentials guards session cookie lookups; the management API
	// shares it for its tokens.
	Credentials *httpx.Credentials
	// Proxies says which client address a request comes from, and whether
	// it came over HTTPS through a trusted proxy (cookies are then Secure).
	Proxies httpx.Proxies
	Logger  *slog.Logger
	Now     func() time.Time
	// PasswordHashes is how many argon2id hashes may be computed at once
	// (0: as many as fit in the memory budget, see newPasswordWork).
	PasswordHashes int
	// PasswordParams are the argon2id costs of new password hashes (zero:
	// auth.DefaultParams); tests lower them.
	PasswordParams auth.Params
	// SendsMail says that mails leave the outbox (--smtp is set): with a
	// public URL, invitations may then be mailed (sentMailBase).
	SendsMail bool

	templates pages
	passwords *passwordWork
	attempts  *attempts
	dummyHash string // compared against when an e-mail is unknown
}

// SessionTTL is how long a portal session lasts without logging in again.
const SessionTTL = sessionTTL

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
		"langs":    func() []string { return httpx.Languages },
		"desc":     description,
		// minpass is the shortest password the service accepts.
		"minpass":         func() int { return glpinet.MinPasswordLen },
		"current":         currentAttr,
		"tokenstate":      tokenState,
		"invitationstate": invitationState,
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
	// SendsLinks is set when the server mails links (--smtp and
	// --public-url): the e-mail verification banner offers a new one.
	SendsLinks bool
	Now        time.Time // the time states (expired, active) are judged at; set by render
	Data       any
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
func (h *Handler) secure(r *http.Request) bool {
	return r.TLS != nil || h.Proxies.Forwarded(r) && r.Header.Get("X-Forwarded-Proto") == "https"
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}

// visitorOf reads the session cookie and the language.
func (h *Handler) visitorOf(w http.ResponseWriter, r *http.Request) visitor {
	var v visitor
	if c, err := r.Cookie(sessionCookie); err == nil && strings.HasPrefix(c.Value, auth.PrefixSession) {
		// Unknown cookies from one address past a budget are not looked
		// up: the visitor is then anonymous, and costs no database read.
		addr, now, hash := h.Proxies.ClientIP(r), h.Now(), auth.HashToken(c.Value)
		if h.Credentials.MayLookUp(addr, hash, now) {
			sess, u, err := h.Store.FindSession(r.Context(), hash)
			if err == nil {
				v.session, v.user = sess, u
				h.Credentials.Valid(hash, now)
			} else if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
				h.Credentials.Unknown(addr, now)
				// Ended or expired: the browser need not send it again.
				h.setCookie(w, r, sessionCookie, "", -time.Second)
			}
		}
	}
	v.lang = h.portalLang(w, r, v.user)
	return v
}

// portalLang picks the page language: ?lang= (remembered in a cookie), the
// cookie, the user's preference, then Accept-Language.
func (h *Handler) portalLang(w http.ResponseWriter, r *http.Request, u *glpinet.User) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		l = httpx.Language(l)
		h.setCookie(w, r, langCookie, l, 365*24*time.Hour)
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		return httpx.Language(c.Value)
	}
	if u != nil && u.Lang != "" {
		return httpx.Language(u.Lang)
	}
	return httpx.Language(r.Header.Get("Accept-Language"))
}

// csrfFor returns the token forms must echo: the session's, or for
// anonymous forms one kept in a cookie (double submit).
func (h *Handler) csrfFor(w http.ResponseWriter, r *http.Request, v visitor) string {
	if v.session != nil {
		return v.session.CSRF
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok, _ := auth.NewToken("")
	h.setCookie(w, r, csrfCookie, tok, 0)
	return tok
}

// checkCSRF verifies a state-changing request: same-origin Origin header
// when present, and the form's token.
func (h *Handler) checkCSRF(r *http.Request, v visitor) bool {
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
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	t := h.templates[page]
	d.Page = page
	if d.Now.IsZero() && h.Now != nil {
		d.Now = h.Now()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		h.Logger.Error("render", "page", page, "err", err, "request_id", httpx.RequestID(r.Context()))
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	securityHeaders(hdr)
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// message renders a page that only says something (errors, refusals).
func (h *Handler) message(w http.ResponseWriter, r *http.Request, v visitor, status int, titleID, text string) {
	h.render(w, r, status, "message", pageData{Lang: v.lang, Title: pt(v.lang, titleID), User: v.user, CSRF: h.csrfFor(w, r, v), Data: text})
}

// userPage wraps a handler that needs a logged-in customer or operator.
func (h *Handler) userPage(fn func(w http.ResponseWriter, r *http.Request, v visitor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := h.visitorOf(w, r)
		if v.user == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !h.checkCSRF(r, v) {
			h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
			return
		}
		fn(w, r, v)
	}
}

// Register mounts the portal through route, which the server core gives
// each route's body limit and records.
func (h *Handler) Register(route func(pattern string, h http.HandlerFunc)) {
	h.templates = parsePages()
	h.passwords = newPasswordWork(h.PasswordHashes, h.passwordParams())
	h.attempts = &attempts{store: h.Store}
	h.dummyHash, _ = auth.HashPassword("glpinet-dummy-password", h.passwordParams())
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	route("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// File names carry their version (htmx-2.0.11.min.js): cache long.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})).ServeHTTP)
	route("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if v := h.visitorOf(w, r); v.user != nil {
			to := "/dashboard"
			if v.user.Role == glpinet.RoleOperator {
				to = "/operator/accounts"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	route("GET /login", h.handleLoginPage)
	route("POST /login", h.handleLogin)
	route("GET /signup", h.handleSignupPage)
	route("POST /signup", h.handleSignup)
	route("POST /logout", h.userPage(h.handleLogout))
	route("GET /dashboard", h.userPage(h.handleDashboard))
	route("GET /keys", h.userPage(h.handleKeysPage))
	route("POST /keys", h.userPage(h.handleKeyGenerate))
	route("POST /keys/{id}/rotate", h.userPage(h.handleKeyRotate))
	route("POST /keys/{id}/revoke", h.userPage(h.handleKeyRevoke))
	route("GET /instances", h.userPage(h.handleInstances))
	route("GET /offers", h.userPage(h.handleOffersPage))
	route("GET /marketplace", h.userPage(h.handleMarketplacePage))
	route("GET /members", h.userPage(h.handleMembersPage))
	route("POST /members/invitations", h.userPage(h.handleInvitationCreate))
	route("POST /members/invitations/{id}/revoke", h.userPage(h.handleInvitationRevoke))
	h.memberRoutes(route)
	h.resetRoutes(route)
	h.verifyRoutes(route)
	route("GET /password", h.userPage(h.handlePasswordPage))
	route("POST /password", h.userPage(h.handlePassword))
	route("GET /tokens", h.userPage(h.handleTokensPage))
	route("POST /tokens", h.userPage(h.handleTokenCreate))
	route("POST /tokens/{id}/revoke", h.userPage(h.handleTokenRevoke))
	h.operatorRoutes(route)
	h.operatorsRoutes(route)
	h.mailsRoutes(route)
	h.offerRequestRoutes(route)
	route("GET /join/{code}", h.handleJoinPage)
	route("POST /join/{code}", h.handleJoin)
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
