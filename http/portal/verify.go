package portal

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/http/httpx"
)

// The limits of e-mail verification: a new link at most every few
// minutes per user, so that nobody's mailbox fills with them; links
// opened per address, as password reset links are.
var (
	verifyResendPerUser = attemptRule{"verify-resend", 1, 5 * time.Minute}
	verifyPerAddress    = attemptRule{"verify-addr", 20, 15 * time.Minute}
)

// verifyData is what the verification page says.
type verifyData struct {
	Email     string
	Done      bool // the link verified the address
	Invalid   bool // the link is unknown, used or expired
	Sent      bool // a new link was mailed
	Throttled bool // a link was mailed moments ago: none now
	Already   bool // the address was verified already
}

// verifyRoutes mounts the e-mail verification pages.
func (h *Handler) verifyRoutes(route func(pattern string, h http.HandlerFunc)) {
	// The token is in the path, which httpx.LoggedPath hides as {token}.
	route("GET /verify/{token}", h.handleVerify)
	route("POST /verification", h.userPage(h.handleVerificationResend))
	route("POST /operator/accounts/{account}/members/{id}/verify", h.operatorPage(h.handleOpVerify))
}

// verifiesEmail reports whether new users verify their e-mail address:
// only when a link can reach them (--smtp and --public-url, as for
// password reset links). Otherwise they are verified as they sign up, so
// that a server run without mail works from its first minute.
func (h *Handler) verifiesEmail() bool { return h.sentMailBase() != "" }

// newVerification makes a verification link's token and the request that
// stores its hash and mails it; ok is false when no link can be mailed.
func (h *Handler) newVerification() (req glpinet.EmailVerificationRequest, ok bool, err error) {
	base := h.sentMailBase()
	if base == "" {
		return req, false, nil
	}
	tok, err := auth.NewToken(auth.PrefixVerify)
	if err != nil {
		return req, false, err
	}
	return glpinet.EmailVerificationRequest{Hash: auth.HashToken(tok), Link: base + "/verify/" + url.PathEscape(tok)}, true, nil
}

// storeNewUser stores u with plain (sign-up or invitation, verified at
// once) when the server cannot mail a link, else with toVerify, which
// stores them unverified and mails the link in the same transaction.
func (h *Handler) storeNewUser(u *glpinet.User, plain func(*glpinet.User) error,
	toVerify func(*glpinet.User, glpinet.EmailVerificationRequest) error) error {
	req, ok, err := h.newVerification()
	if err != nil {
		return err
	} else if !ok {
		return plain(u)
	}
	return toVerify(u, req)
}

// verifyPage renders the verification page: its link is a secret, which
// the Referer of links on it must not carry elsewhere.
func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request, v visitor, status int, d verifyData) {
	h.render(noReferrer{w}, r, status, "verify", pageData{Lang: v.lang, Title: pt(v.lang, "verify.title"), User: v.user,
		CSRF: h.csrfFor(w, r, v), Data: d})
}

func (h *Handler) handleVerify(w http.ResponseWriter, r *http.Request) {
	v := h.visitorOf(w, r)
	tok := r.PathValue("token")
	if !strings.HasPrefix(tok, auth.PrefixVerify) {
		h.verifyPage(w, r, v, http.StatusNotFound, verifyData{Invalid: true})
		return
	}
	if refused, err := h.reserveAttempts(w, r, newAttempt(verifyPerAddress, httpx.ClientKey(h.Proxies.ClientIP(r)))); err != nil {
		h.Error(w, r, err)
		return
	} else if refused {
		h.message(w, r, v, http.StatusTooManyRequests, "verify.title", pt(v.lang, "forgot.throttled"))
		return
	}
	u, err := h.Store.VerifyEmail(r.Context(), auth.HashToken(tok))
	if code := glpinet.ErrorCode(err); code == glpinet.ENOTFOUND || code == glpinet.EINVALID {
		h.verifyPage(w, r, v, http.StatusGone, verifyData{Invalid: true})
		return
	} else if err != nil {
		h.Error(w, r, err)
		return
	}
	h.Logger.LogAttrs(r.Context(), slog.LevelInfo, "e-mail address verified", slog.Int64("user", u.ID),
		slog.String("request_id", httpx.RequestID(r.Context())))
	if v.user != nil && v.user.ID == u.ID {
		v.user = u // the banner goes at once
	}
	h.verifyPage(w, r, v, http.StatusOK, verifyData{Done: true, Email: u.Email})
}

func (h *Handler) handleVerificationResend(w http.ResponseWriter, r *http.Request, v visitor) {
	if v.user.Verified() {
		h.verifyPage(w, r, v, http.StatusOK, verifyData{Already: true, Email: v.user.Email})
		return
	}
	req, ok, err := h.newVerification()
	if err != nil {
		h.Error(w, r, err)
		return
	} else if !ok {
		// Mail was turned off since the sign-up: only an operator can
		// verify the address now, which the banner says.
		h.message(w, r, v, http.StatusConflict, "verify.title", pt(v.lang, "verify.nomail"))
		return
	}
	if refused, err := h.reserveAttempts(w, r, newAttempt(verifyResendPerUser, glpinet.UserSubject(v.user.ID))); err != nil {
		h.Error(w, r, err)
		return
	} else if refused {
		h.verifyPage(w, r, v, http.StatusTooManyRequests, verifyData{Throttled: true, Email: v.user.Email})
		return
	}
	_, err = h.Store.SendEmailVerification(h.actor(r, v), v.user.ID, req)
	if glpinet.ErrorCode(err) == glpinet.ECONFLICT {
		h.verifyPage(w, r, v, http.StatusOK, verifyData{Already: true, Email: v.user.Email})
		return
	} else if err != nil {
		h.Error(w, r, err)
		return
	}
	h.verifyPage(w, r, v, http.StatusOK, verifyData{Sent: true, Email: v.user.Email})
}

// handleOpVerify marks a member's e-mail address verified by hand.
func (h *Handler) handleOpVerify(w http.ResponseWriter, r *http.Request, v visitor) {
	a := h.memberAccount(w, r, v)
	if a == nil {
		return
	}
	u := h.memberOf(w, r, v, a)
	if u == nil {
		return
	}
	u, _, err := h.Store.MarkEmailVerified(h.actor(r, v), u.ID)
	if err != nil {
		h.Error(w, r, err)
		return
	}
	h.renderMembers(w, r, v, a, membersData{}, pt(v.lang, "members.verifiedflash")+" "+u.Email, "")
}
