package http

import (
	"context"
	"net/http"
	"time"
)

// handleHealthz answers as long as the process serves requests.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 when the database answers and the catalogue is
// loaded, 503 otherwise, so a load balancer can take a replica out.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "catalogue": "ok"}
	status := http.StatusOK
	if err := s.Store.Ping(ctx); err != nil {
		checks["database"], status = "unreachable", http.StatusServiceUnavailable
	}
	if s.Catalogue.Current() == nil {
		checks["catalogue"], status = "not loaded", http.StatusServiceUnavailable
	}
	writeJSON(w, status, checks)
}
