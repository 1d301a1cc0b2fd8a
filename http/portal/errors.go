package portal

import (
	"fmt"
	"net/http"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
)

// Error writes err for the client: a portal page to a browser (see
// httpx.WantsHTML), the server's JSON error body to anybody else, so that
// GLPI and scripts never parse HTML and people never read JSON. Internal
// errors are logged with the request id and shown only as a generic
// message carrying that id.
func (h *Handler) Error(w http.ResponseWriter, r *http.Request, err error) {
	if !httpx.WantsHTML(r) {
		httpx.Error(w, r, h.Logger, httpx.LoggedPath(r), err)
		return
	}
	code := glpinet.ErrorCode(err)
	v := h.visitorOf(w, r)
	text := glpinet.ErrorMessage(err)
	switch code {
	case glpinet.EINTERNAL, glpinet.EUNAVAILABLE:
		id := httpx.RequestID(r.Context())
		h.Logger.Error("request failed", "request_id", id, "path", httpx.LoggedPath(r), "err", err)
		if code == glpinet.EINTERNAL {
			text = fmt.Sprintf(pt(v.lang, "error.internal"), id)
		}
	case glpinet.ENOTFOUND:
		if r.Pattern == "" || r.Pattern == "/" { // no route took the path
			text = pt(v.lang, "error.notfound")
		}
	}
	h.message(w, r, v, httpx.ErrorStatus(code), "error.title", text)
}
