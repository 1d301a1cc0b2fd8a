package glpiapi

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

func benchServer() http.Handler {
	offers := glpinet.DefaultOffers()
	end := time.Now().AddDate(1, 0, 0)
	sub := &glpinet.Subscription{OfferRef: "standard", Begin: time.Now(), End: &end, State: glpinet.SubscriptionActive}
	v := glpinet.Validation{Code: glpinet.ValidationValid, Running: sub, Offer: offers[2],
		Record: &glpinet.KeyRecord{Key: glpinet.RegistrationKey{ID: 1}, Account: glpinet.Account{ID: 1, Name: "ACME IT"}}, Memo: &glpinet.Memo{}}
	s := &Handler{Validator: testkit.FixedValidator{Verdict: v}, Catalogue: testkit.FixedCatalogue{Catalogue: glpinet.NewCatalogue(1, nil, offers, nil)},
		Sightings: testkit.NopSightings{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return serve(s)
}

func BenchmarkInfoHandler(b *testing.B) {
	h := benchServer()
	req := httptest.NewRequest("GET", "/api/registration/info", nil)
	req.Header.Set("X-Registration-Key", "gnk_x")
	req.Header.Set("User-Agent", "GLPI/10.0.16 (installation-mode:TARBALL)")
	req.Header.Set("X-Glpi-Network-Uid", "0123456789abcdefghij0123456789abcdefghij")
	req.Header.Set("Accept-Language", "fr")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}
