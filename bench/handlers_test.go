package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/bench/catalogue"
	"github.com/glpinet/glpinet/cache"
	ghttp "github.com/glpinet/glpinet/http"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/sqlite"
	"golang.org/x/time/rate"
)

// The headers GLPI 10.0 sends (see bench/run.sh).
const (
	userAgent = "GLPI/10.0.16 (installation-mode:TARBALL)"
	uid       = "benchInstance000000000000000000000000001"
)

// fixture is a server over a SQLite store holding one account with the
// advanced offer, one key and a 250-plugin catalogue.
type fixture struct {
	store     *sqlite.DB
	handler   http.Handler
	validator *cache.Validator
	catalogue *cache.Catalogue
	key       string
}

// newStore opens a SQLite store in a temporary directory holding one
// account with a running advanced subscription and n keys, which it returns.
func newStore(b *testing.B, n int) (*sqlite.DB, []string) {
	b.Helper()
	ctx := glpinet.WithActor(context.Background(), "cli:bench")
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "glpinet.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	a := &glpinet.Account{Name: "Bench Corp"}
	if err := db.CreateAccount(ctx, a); err != nil {
		b.Fatal(err)
	}
	end := time.Now().AddDate(1, 0, 0)
	if err := db.CreateSubscription(ctx, &glpinet.Subscription{AccountID: a.ID, OfferRef: "advanced", Begin: time.Now().AddDate(0, 0, -1), End: &end}); err != nil {
		b.Fatal(err)
	}
	raws := make([]string, n)
	keys := make([]*glpinet.RegistrationKey, n)
	for i := range keys {
		if raws[i], err = glpinet.GenerateKey(); err != nil {
			b.Fatal(err)
		}
		keys[i] = &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(raws[i]), Prefix: glpinet.KeyDisplayPrefix(raws[i]), Label: "bulk"}
	}
	if err := db.CreateKeys(ctx, keys); err != nil {
		b.Fatal(err)
	}
	return db, raws
}

// newFixture builds the fixture in a temporary directory. Publishing the
// catalogue takes a few seconds (one fsync per archive).
func newFixture(b *testing.B) *fixture {
	b.Helper()
	ctx := glpinet.WithActor(context.Background(), "cli:bench")
	db, keys := newStore(b, 1)
	pub := &publish.Publisher{Store: db, ArchiveDir: filepath.Join(b.TempDir(), "archives"), Limits: pluginarchive.DefaultLimits()}
	tmp := b.TempDir()
	for _, p := range catalogue.Generate(250, 1) {
		if _, err := p.Publish(ctx, pub, tmp); err != nil {
			b.Fatal(err)
		}
	}
	v := cache.NewValidator(db, time.Now, nil)
	cat := cache.NewCatalogue(db, time.Now)
	if err := cat.Load(ctx); err != nil {
		b.Fatal(err)
	}
	srv := &ghttp.Server{Store: db, Validator: v, Catalogue: cat, Sightings: &cache.Sightings{Store: db},
		Downloads: &cache.Downloads{Store: db}, ArchiveDir: pub.ArchiveDir}
	return &fixture{store: db, handler: srv.Handler(), validator: v, catalogue: cat, key: keys[0]}
}

// discard is a ResponseWriter that keeps nothing but the headers, so that
// the benchmarks measure the handlers rather than a recorder.
type discard struct {
	h      http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header { return d.h }

func (d *discard) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

// Write implies status 200, as net/http does.
func (d *discard) Write(p []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	d.n += len(p)
	return len(p), nil
}

// serve runs the request through the handler b.N times and checks the
// answer of the last one.
func serve(b *testing.B, h http.Handler, r *http.Request, wantEncoding string) {
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, r) // warm the caches
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, r)
	}
	if w.status != http.StatusOK || w.h.Get("Content-Encoding") != wantEncoding {
		b.Fatalf("status %d, Content-Encoding %q", w.status, w.h.Get("Content-Encoding"))
	}
	b.ReportMetric(float64(w.n), "body-bytes")
}

// BenchmarkInfo is GET /api/registration/info with a cached valid key.
func BenchmarkInfo(b *testing.B) {
	f := newFixture(b)
	r := httptest.NewRequest("GET", "/api/registration/info", nil)
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Accept-Language", "en")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", userAgent)
	r.Header.Set("X-Registration-Key", f.key)
	r.Header.Set("X-Glpi-Network-Uid", uid)
	serve(b, f.handler, r, "")
}

// BenchmarkPluginsPage is GET /api/marketplace/plugins for plugins 0-199,
// gzip-encoded, from the page cache.
func BenchmarkPluginsPage(b *testing.B) {
	f := newFixture(b)
	serve(b, f.handler, pluginsRequest(f.key), "gzip")
}

// pluginsRequest is the request for the first page of the marketplace.
func pluginsRequest(key string) *http.Request {
	r := httptest.NewRequest("GET", "/api/marketplace/plugins", nil)
	r.Header.Set("X-Range", "0-199")
	r.Header.Set("User-Agent", userAgent)
	r.Header.Set("X-Registration-Key", key)
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Accept-Encoding", "gzip")
	return r
}

// BenchmarkPluginsPageCold is the first page request of a new catalogue
// generation (after a publication, for instance): with an empty page cache,
// the handler renders every plugin of the view and compresses the page.
func BenchmarkPluginsPageCold(b *testing.B) {
	f := newFixture(b)
	r := pluginsRequest(f.key)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		srv := &ghttp.Server{Store: f.store, Validator: f.validator, Catalogue: f.catalogue}
		h := srv.Handler()
		clear(w.h)
		h.ServeHTTP(w, r)
	}
	if w.h.Get("Content-Encoding") != "gzip" {
		b.Fatal("not gzip")
	}
}

// BenchmarkCatalogueLoad is a reload of the catalogue snapshot from SQLite,
// which glpinetd does after each change and at least every 5 minutes.
func BenchmarkCatalogueLoad(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := f.catalogue.Load(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateCached is the validator's answer for a cached key.
func BenchmarkValidateCached(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	if _, err := f.validator.Validate(ctx, f.key); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v, err := f.validator.Validate(ctx, f.key)
		if err != nil || v.Code != glpinet.ValidationValid {
			b.Fatalf("%v %v", v.Code, err)
		}
	}
}

// BenchmarkValidateColdKey is the validation of a key the cache does not
// hold: the validator reads it from SQLite (key, account, subscriptions).
func BenchmarkValidateColdKey(b *testing.B) {
	db, keys := newStore(b, 20_000)
	ctx := context.Background()
	v := cache.NewValidator(db, time.Now, nil)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i == len(keys) {
			v, i = cache.NewValidator(db, time.Now, nil), 0
		}
		if val, err := v.Validate(ctx, keys[i]); err != nil || val.Code != glpinet.ValidationValid {
			b.Fatalf("%v %v", val.Code, err)
		}
		i++
	}
}

// BenchmarkValidatorMemory reports the heap each cached key costs: the
// validator keeps an entry for every key it has seen (up to MaxEntries, 2
// million), whatever its age, until a change or a rotation evicts it.
func BenchmarkValidatorMemory(b *testing.B) {
	const n = 20_000
	db, keys := newStore(b, n)
	ctx := context.Background()
	var perEntry float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		v := cache.NewValidator(db, time.Now, nil)
		for _, k := range keys {
			if _, err := v.Validate(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if v.Len() != n {
			b.Fatalf("%d entries", v.Len())
		}
		perEntry = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(v)
	}
	b.ReportMetric(perEntry, "heap-B/entry")
}

// BenchmarkValidatorSweep is the once-a-minute sweep of the validator cache
// (Settle), here over 20,000 entries of which none is old enough to drop:
// it holds the cache's write lock, so every validation waits meanwhile.
func BenchmarkValidatorSweep(b *testing.B) {
	const n = 20_000
	db, keys := newStore(b, n)
	ctx := context.Background()
	clock := time.Now()
	v := cache.NewValidator(db, func() time.Time { return clock }, nil)
	v.Stale = 100 * 365 * 24 * time.Hour // the clock runs fast here: drop nothing
	for _, k := range keys {
		if _, err := v.Validate(ctx, k); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		clock = clock.Add(time.Minute) // due for a sweep, nothing expired
		if err := v.Settle(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if v.Len() != n {
		b.Fatalf("%d entries left", v.Len())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
}

// BenchmarkInfoMemory reports the heap each distinct key costs once
// GET /api/registration/info has answered it: the validator's entry plus
// whatever the handler keeps for it (rendered bodies, pending sightings
// written out by a flush before measuring).
func BenchmarkInfoMemory(b *testing.B) {
	const n = 20_000
	db, keys := newStore(b, n)
	ctx := context.Background()
	reqs := make([]*http.Request, n)
	for i, k := range keys {
		r := httptest.NewRequest("GET", "/api/registration/info", nil)
		r.Header.Set("Accept-Language", "en")
		r.Header.Set("User-Agent", userAgent)
		r.Header.Set("X-Registration-Key", k)
		r.Header.Set("X-Glpi-Network-Uid", fmt.Sprintf("benchInstance%027d", i))
		reqs[i] = r
	}
	var perKey, objects float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		cat := cache.NewCatalogue(db, time.Now)
		if err := cat.Load(ctx); err != nil {
			b.Fatal(err)
		}
		sightings := &cache.Sightings{Store: db}
		srv := &ghttp.Server{Store: db, Validator: cache.NewValidator(db, time.Now, nil), Catalogue: cat,
			Sightings: sightings, Downloads: &cache.Downloads{Store: db}}
		h := srv.Handler()
		w := &discard{h: http.Header{}}
		for _, r := range reqs {
			clear(w.h)
			w.status = 0
			h.ServeHTTP(w, r)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
		if err := sightings.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perKey = float64(after.HeapAlloc-before.HeapAlloc) / n
		objects = float64(after.HeapObjects-before.HeapObjects) / n
		runtime.KeepAlive(h)
	}
	b.ReportMetric(perKey, "heap-B/key")
	b.ReportMetric(objects, "heap-objects/key")
}

// BenchmarkParseUserAgent is the User-Agent parsing both GLPI endpoints do
// on every request (the plugins page twice).
func BenchmarkParseUserAgent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if ua := glpinet.ParseUserAgent(userAgent); ua.GLPIVersion != "10.0.16" {
			b.Fatal(ua)
		}
	}
}

// BenchmarkInfoRotating is GET /api/registration/info over 10,000 cached
// keys, each with its own instance uid, as bench/run.sh's info-10k run
// sends them once every key has been loaded.
func BenchmarkInfoRotating(b *testing.B) {
	const n = 10_000
	db, keys := newStore(b, n)
	cat := cache.NewCatalogue(db, time.Now)
	if err := cat.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	srv := &ghttp.Server{Store: db, Validator: cache.NewValidator(db, time.Now, nil), Catalogue: cat,
		Sightings: &cache.Sightings{Store: db}, Downloads: &cache.Downloads{Store: db}}
	h := srv.Handler()
	reqs := make([]*http.Request, n)
	for i, k := range keys {
		r := httptest.NewRequest("GET", "/api/registration/info", nil)
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Accept-Language", "en")
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("User-Agent", userAgent)
		r.Header.Set("X-Registration-Key", k)
		r.Header.Set("X-Glpi-Network-Uid", fmt.Sprintf("benchInstance%027d", i))
		reqs[i] = r
	}
	w := &discard{h: http.Header{}}
	for _, r := range reqs { // load every key once
		h.ServeHTTP(w, r)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		clear(w.h)
		w.status = 0
		h.ServeHTTP(w, reqs[i%n])
		i++
	}
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
}

// BenchmarkInfoUnknown is GET /api/registration/info with well-formed keys
// that no store holds, the set of key hashes loaded as glpinetd serve loads
// it, rotating over 2^18 new keys, each request from another client address
// (within each address's allowance) unless said otherwise:
//
//   - verdict: with re-checks unlimited, each key missing from the set is
//     read from the store once and answered UNKNOWN (200);
//   - budget-spent: with no re-check left in the shared budget (a flood
//     from many addresses spends it), 503 from memory;
//   - one-address: from one address, re-checks unlimited (no one else
//     spends them): past the address's allowance, 429 (what a single client
//     flooding gets, as in bench/run.sh's info-unknown).
func BenchmarkInfoUnknown(b *testing.B) {
	f := newFixture(b)
	if err := f.validator.LoadKeys(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		rechecks *rate.Limiter
		spread   bool
		want     int
	}{
		{"verdict", rate.NewLimiter(rate.Inf, 1), true, http.StatusOK},
		{"budget-spent", rate.NewLimiter(0, 0), true, http.StatusServiceUnavailable},
		{"one-address", rate.NewLimiter(rate.Inf, 1), false, http.StatusTooManyRequests},
	} {
		// Keys never presented before (the validator remembers the verdicts).
		keys := make([]string, 1<<18)
		for i := range keys {
			var err error
			if keys[i], err = glpinet.GenerateKey(); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(c.name, func(b *testing.B) {
			f.validator.Rechecks = c.rechecks
			r := httptest.NewRequest("GET", "/api/registration/info", nil)
			r.Header.Set("Accept", "application/json")
			r.Header.Set("Accept-Language", "en")
			r.Header.Set("User-Agent", userAgent)
			r.Header.Set("X-Glpi-Network-Uid", uid)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r.Header["X-Registration-Key"] = keys[i%len(keys) : i%len(keys)+1]
				if c.spread {
					r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", i>>16&255, i>>8&255, i&255)
				}
				clear(w.h)
				w.status = 0
				f.handler.ServeHTTP(w, r)
				i++
			}
			if w.status != c.want {
				b.Fatalf("status %d, want %d", w.status, c.want)
			}
		})
	}
}

// BenchmarkPluginsUnaligned is the plugins page at X-Range offsets that are
// not multiples of 200, rotating over 46 ranges (7-206, 13-212…) as
// bench/run.sh's plugins-unaligned does: sent uncompressed, from a small
// cache of such pages that this rotation overflows.
func BenchmarkPluginsUnaligned(b *testing.B) {
	f := newFixture(b)
	r := pluginsRequest(f.key)
	w := &discard{h: http.Header{}}
	ranges := make([]string, 46)
	for i := range ranges {
		ranges[i] = fmt.Sprintf("%d-%d", 7+6*i, 206+6*i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Header.Set("X-Range", ranges[i%len(ranges)])
		clear(w.h)
		w.status, w.n = 0, 0
		f.handler.ServeHTTP(w, r)
		i++
	}
	if w.status != http.StatusOK || w.h.Get("Content-Encoding") != "" {
		b.Fatalf("status %d, Content-Encoding %q", w.status, w.h.Get("Content-Encoding"))
	}
	b.ReportMetric(float64(w.n), "body-bytes")
}

// BenchmarkPluginsHosts is the plugins page of a server without a public
// URL (as the fixture is) with a Host header rotating over 10,000 made-up
// names, as bench/run.sh's plugins-hosts sends it: each answer is a copy
// of the cached page with the Host put in, compressed only within a small
// budget per second.
func BenchmarkPluginsHosts(b *testing.B) {
	f := newFixture(b)
	r := pluginsRequest(f.key)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Host = fmt.Sprintf("h%06d.example", i%10000+1)
		clear(w.h)
		w.status, w.n = 0, 0
		f.handler.ServeHTTP(w, r)
		i++
	}
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
	b.ReportMetric(float64(w.n), "body-bytes")
}
