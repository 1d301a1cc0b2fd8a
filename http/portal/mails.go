package portal

import (
	"net/http"

	"github.com/glpinet/glpinet"
)

// The outbox page: operators see the mails that wait or were given up,
// with the last error, so that a broken SMTP setting or a mistyped
// customer address is noticed from the portal, not only from metrics.
// Mails' contents (reset links) are never shown: the store does not even
// return them here.

type opMailsData struct {
	State  glpinet.MailState // "" for every state
	Counts map[glpinet.MailState]int
	Mails  []*glpinet.Mail
	States []glpinet.MailState
}

func (h *Handler) mailsRoutes(route func(pattern string, h http.HandlerFunc)) {
	route("GET /operator/mails", h.operatorPage(h.handleOpMails))
}

func (h *Handler) handleOpMails(w http.ResponseWriter, r *http.Request, v visitor) {
	d := opMailsData{States: []glpinet.MailState{glpinet.MailFailed, glpinet.MailPending, glpinet.MailSent}}
	switch s := glpinet.MailState(r.URL.Query().Get("state")); s {
	case "", glpinet.MailFailed, glpinet.MailPending, glpinet.MailSent:
		d.State = s
	default:
		d.State = glpinet.MailFailed
	}
	var err error
	if d.Counts, err = h.Store.CountMails(r.Context()); err != nil {
		h.Error(w, r, err)
		return
	}
	if d.Mails, err = h.Store.ListMails(r.Context(), glpinet.MailFilter{State: d.State, Limit: 200}); err != nil {
		h.Error(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "op_mails", pageData{Lang: v.lang, Title: pt(v.lang, "op.mails"), User: v.user, CSRF: h.csrfFor(w, r, v), Data: d})
}
