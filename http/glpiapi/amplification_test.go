package glpiapi

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
	"golang.org/x/time/rate"
)

// manyPlugins is a catalogue of n plugins, enough for several pages.
func manyPlugins(n int) *glpinet.Catalogue {
	var plugins []*glpinet.Plugin
	for i := range n {
		key := fmt.Sprintf("plugin%03d", i)
		plugins = append(plugins, &glpinet.Plugin{Key: key, Name: key, Versions: []*glpinet.Version{{Num: "1.0.0", Stability: "stable",
			Archive: glpinet.Archive{Filename: "glpi-" + key + "-1.0.0.zip", Format: "zip", Size: 10, SHA256: "ab", Path: "x"}}}})
	}
	return glpinet.NewCatalogue(1, plugins, glpinet.DefaultOffers(), nil)
}

// TestAnonymousPagesCostACachedAnswer replays the CPU amplification
// attacks on the marketplace: an X-Range offset that is not a multiple of
// 200 made the server compress a page at the best level on every request,
// and, without a public URL, every new Host header rendered the catalogue
// again and evicted the shared page cache. Now neither renders nor
// compresses anything past the first request.
func TestAnonymousPagesCostACachedAnswer(t *testing.T) {
	s := &Handler{Validator: testkit.FixedValidator{Verdict: glpinet.Validation{Code: glpinet.ValidationUnknown}}, Catalogue: testkit.FixedCatalogue{Catalogue: manyPlugins(450)},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := serve(s)
	get := func(host, xrange string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "http://"+host+"/api/marketplace/plugins", nil)
		req.Header.Set("X-Range", xrange)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("User-Agent", "GLPI/10.0.16 (installation-mode:TARBALL)")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 && w.Code != http.StatusTooManyRequests {
			t.Fatalf("%s %s: status %d", host, xrange, w.Code)
		}
		return w
	}
	get("glpinet.example.com", "0-199") // the first render and compression
	renders, compressions := s.pages.renders.Load(), s.pages.compressions.Load()
	// The budgets as configured, but refilled once an hour: what the loops
	// below may get through is then their burst, however slowly a loaded
	// machine (race detector, other packages' tests) runs them.
	s.pages.oddBuilds = rate.NewLimiter(rate.Every(time.Hour), oddBuildRate)
	s.pages.hosts.compress = rate.NewLimiter(rate.Every(time.Hour), hostCompressMax)
	refused := 0
	for i := range 300 {
		host := fmt.Sprintf("host%d.attacker.example", i)
		start := 1 + (i*7)%400
		if start%200 == 0 {
			start++
		}
		w := get(host, fmt.Sprintf("%d-%d", start, start+199))
		if w.Code == http.StatusTooManyRequests {
			refused++ // past the budget of uncommon pages built
			continue
		}
		body := w.Body.Bytes()
		if w.Header().Get("Content-Encoding") == "gzip" {
			t.Fatalf("an unaligned range was compressed")
		}
		if !bytes.Contains(body, []byte("http://"+host+"/api/marketplace/archives/")) || bytes.Contains(body, []byte(placeholderBase)) {
			t.Fatalf("links of a page for %s: %.300s", host, body)
		}
	}
	if r, c := s.pages.renders.Load()-renders, s.pages.compressions.Load()-compressions; r != 0 || c != 0 {
		t.Errorf("300 requests with new Hosts and unaligned ranges: %d renders and %d compressions, want none", r, c)
	}
	if built := 300 - refused; built > oddBuildRate {
		t.Errorf("300 pages of other ranges at once: %d built, want at most the budget of %d", built, oddBuildRate)
	}
	// GLPI's own page is still cached and compressed, with its own links.
	w := get("glpinet.example.com", "0-199")
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("GLPI's page: Content-Encoding %q, want gzip", w.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(zr); !bytes.Contains(body, []byte("http://glpinet.example.com/api/marketplace/archives/")) {
		t.Errorf("GLPI's page: %.300s", body)
	}
	if c := s.pages.compressions.Load() - compressions; c != 0 {
		t.Errorf("GLPI's page compressed again %d times: evicted", c)
	}

	// GLPI's page asked with made-up Hosts: compressed for a few, then
	// sent uncompressed; never more than the budget.
	gzipped := 0
	for i := range 300 {
		if get(fmt.Sprintf("other%d.attacker.example", i), "0-199").Header().Get("Content-Encoding") == "gzip" {
			gzipped++
		}
	}
	if gzipped > hostCompressMax {
		t.Errorf("300 made-up Hosts at once: %d pages compressed, want at most the budget (%d)", gzipped, hostCompressMax)
	}
}

// TestPublicURLPagesAreCompressedOnce: with a public URL, GLPI's pages are
// sent gzip'ed, compressed once whatever Host the requests carry.
func TestPublicURLPagesAreCompressedOnce(t *testing.T) {
	s := &Handler{Validator: testkit.FixedValidator{Verdict: glpinet.Validation{Code: glpinet.ValidationUnknown}}, Catalogue: testkit.FixedCatalogue{Catalogue: manyPlugins(450)},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicURL: "https://services.example.org"}
	h := serve(s)
	for i := range 50 {
		req := httptest.NewRequest("GET", fmt.Sprintf("http://host%d.example/api/marketplace/plugins", i), nil)
		req.Header.Set("X-Range", "200-399")
		req.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatalf("request %d: not gzip: %v", i, err)
		}
		body, _ := io.ReadAll(zr)
		if !bytes.Contains(body, []byte("https://services.example.org/api/marketplace/archives/")) {
			t.Fatalf("links: %.200s", body)
		}
	}
	if c := s.pages.compressions.Load(); c != 1 {
		t.Errorf("50 requests for one page: %d compressions, want 1", c)
	}
}

// TestGLPIHostKeepsItsPages: without a public URL, made-up Hosts filling
// the copies never push out the copy of a host in use, and never get it
// refused.
func TestGLPIHostKeepsItsPages(t *testing.T) {
	s := &Handler{Validator: testkit.FixedValidator{Verdict: glpinet.Validation{Code: glpinet.ValidationUnknown}}, Catalogue: testkit.FixedCatalogue{Catalogue: manyPlugins(450)},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := serve(s)
	get := func(host string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "http://"+host+"/api/marketplace/plugins", nil)
		req.Header.Set("X-Range", "0-199")
		req.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	get("glpinet.example.com")
	get("glpinet.example.com") // a host in use
	for round := range 2 {
		for i := range maxHostPages + 10 {
			get(fmt.Sprintf("h%d-%d.attacker.example", round, i))
			s.pages.hosts.compress = rate.NewLimiter(rate.Inf, 1) // every made-up copy kept: the map fills
		}
		w := get("glpinet.example.com")
		if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("round %d: GLPI's host got %d, Content-Encoding %q; want its compressed copy", round, w.Code, w.Header().Get("Content-Encoding"))
		}
	}
}
