package http

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/signing"
)

// handleHealthz answers as long as the process serves requests.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 when the database answers and the catalogue is
// loaded, 503 otherwise, so a load balancer can take a replica out; its
// body also says whether the signing key verifies the catalogue, and
// whether mail goes out (never failing readiness).
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "catalogue": "ok", "signing_key": "ok"}
	status := http.StatusOK
	if err := s.Store.Ping(ctx); err != nil {
		checks["database"], status = "unreachable", http.StatusServiceUnavailable
		var e *glpinet.Error
		if errors.As(err, &e) && e.Code == glpinet.EINTERNAL {
			// Reachable but unusable: a SQLite file found damaged.
			checks["database"] = e.Message
		}
	}
	cat := s.Catalogue.Current()
	if cat == nil {
		checks["catalogue"], status = "not loaded", http.StatusServiceUnavailable
	}
	// The newest signature only: enough to notice that this replica's
	// signing key differs from the one that signed the catalogue, and cheap
	// (one Ed25519 verification) for a check a load balancer runs every few
	// seconds. Reported, but not failing: a version signed elsewhere would
	// otherwise take every replica out of the load balancer at once, while
	// registration and GLPI's downloads (GLPI checks no signature) still
	// work.
	if s.SigningKey != nil && signing.CheckCatalogue(cat, s.SigningKey, 1) != nil {
		checks["signing_key"] = "differs from the key that signed the newest version"
	}
	// Reported, never failing: a server that cannot send mail still
	// serves GLPI and the portal, and its mails wait in the outbox.
	checks["mail"] = "not configured"
	if s.MailStatus != nil {
		checks["mail"] = s.MailStatus()
	}
	httpx.WriteJSON(w, status, checks)
}
