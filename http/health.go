package http

import (
	"context"
	"net/http"
	"time"

	"github.com/glpinet/glpinet/publish"
)

// handleHealthz answers as long as the process serves requests.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 when the database answers, the catalogue is
// loaded and the signing key verifies it, 503 otherwise, so a load
// balancer can take a replica out.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "catalogue": "ok", "signing_key": "ok"}
	status := http.StatusOK
	if err := s.Store.Ping(ctx); err != nil {
		checks["database"], status = "unreachable", http.StatusServiceUnavailable
	}
	cat := s.Catalogue.Current()
	if cat == nil {
		checks["catalogue"], status = "not loaded", http.StatusServiceUnavailable
	}
	// The newest signature only: enough to notice a replica whose
	// signing.key differs from the one publishing, and cheap (one Ed25519
	// verification) for a check a load balancer runs every few seconds.
	if s.SigningKey != nil && publish.CheckSignatures(cat, s.SigningKey, 1) != nil {
		checks["signing_key"], status = "differs from the key that signed the catalogue", http.StatusServiceUnavailable
	}
	writeJSON(w, status, checks)
}
