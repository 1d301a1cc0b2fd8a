package http

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
)

// benchInfoServer is the core over a fixed valid verdict, logging as
// glpinetd serve does (text, info) to nowhere.
func benchInfoServer(accessLog bool) http.Handler {
	offers := glpinet.DefaultOffers()
	end := time.Now().AddDate(1, 0, 0)
	sub := &glpinet.Subscription{OfferRef: "standard", Begin: time.Now(), End: &end, State: glpinet.SubscriptionActive}
	v := glpinet.Validation{Code: glpinet.ValidationValid, Running: sub, Offer: offers[2],
		Record: &glpinet.KeyRecord{Key: glpinet.RegistrationKey{ID: 1}, Account: glpinet.Account{ID: 1, Name: "ACME IT"}}, Memo: &glpinet.Memo{}}
	s := &Server{Validator: testkit.FixedValidator{Verdict: v}, Catalogue: testkit.FixedCatalogue{Catalogue: glpinet.NewCatalogue(1, nil, offers, nil)},
		Sightings: testkit.NopSightings{}, Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	s.AccessLog = accessLog
	return s.Handler()
}

// BenchmarkInfoMiddleware is GET /api/registration/info through the core's
// middleware, with and without the access log.
func BenchmarkInfoMiddleware(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "access-log=false"
		if on {
			name = "access-log=true"
		}
		b.Run(name, func(b *testing.B) {
			h := benchInfoServer(on)
			req := httptest.NewRequest("GET", "/api/registration/info", nil)
			req.RemoteAddr = "192.0.2.7:51234"
			req.Header.Set("X-Registration-Key", "gnk_x")
			req.Header.Set("User-Agent", "GLPI/10.0.16 (installation-mode:TARBALL)")
			req.Header.Set("X-Glpi-Network-Uid", "0123456789abcdefghij0123456789abcdefghij")
			req.Header.Set("Accept-Language", "fr")
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				w.status = 0
				h.ServeHTTP(w, req)
			}
		})
	}
}

// discardWriter keeps the headers and the status only, so that the
// benchmark measures the server rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.h }

func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

func (d *discardWriter) Write(p []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	return len(p), nil
}
