// Command soakgen sends a mix of GLPI's requests and abusive ones to
// glpinetd at a fixed rate (open loop, like bench/loadgen), for
// bench/soak.sh. With -rate 0 it sends as fast as the server answers
// instead (closed loop), to measure the capacity the soak's rate is a
// fraction of.
//
//	soakgen -url http://127.0.0.1:8080 -rate 4000 -duration 10m -keys keys.txt -unknown unknown.txt
//	        [-mix info=55,plugins=15,archive=10,unaligned=5,hosts=5,unknown=5,unknown-one=5]
//
// The kinds of request:
//
//	info         GET /api/registration/info, GLPI's headers, rotating over
//	             -keys-count known keys, each with its own instance uid
//	plugins      GET /api/marketplace/plugins, X-Range 0-199, gzip
//	archive      an archive download, rotating over the download URLs of
//	             the first two pages
//	unaligned    the plugins page at X-Range offsets that are not multiples
//	             of 200 (7-206, 13-212, …)
//	hosts        the plugins page with a Host header rotating over made-up
//	             names (a server without --public-url builds links from it)
//	unknown      /info with well-formed unknown keys, each request on a new
//	             connection from the next of -spread loopback source
//	             addresses (many clients, each within its allowance)
//	unknown-one  the same from 127.0.0.1 over kept-alive connections (one
//	             client: past its allowance, 429)
//
// Every -interval it prints a progress line on stderr; at the end one line
// per kind and a total on stdout, with the statuses (5xx must not happen),
// transport errors, answers that are not what GLPI needs ("bad"), and
// latencies from each request's scheduled start (milliseconds).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet/bench/internal/loadtest"
)

const userAgent = "GLPI/10.0.16 (installation-mode:TARBALL)"

// kinds in report order.
var kinds = []string{"info", "plugins", "archive", "unaligned", "hosts", "unknown", "unknown-one"}

// stats of one kind, updated by every worker.
type stats struct {
	status [6]atomic.Int64 // by status/100; [0]: transport errors
	s429   atomic.Int64
	bad    atomic.Int64 // an answer GLPI could not use
	gzip   atomic.Int64 // 200 answers sent gzip-compressed
	bytes  atomic.Int64
	hist   histogram
}

func (s *stats) requests() int64 {
	var n int64
	for i := range s.status {
		n += s.status[i].Load()
	}
	return n
}

type config struct {
	base        *url.URL
	known       []string
	unknown     []string
	archives    []string
	spreadFrom  netip.Addr
	spread      int
	hostsCount  int
	rangesCount int
}

func main() {
	rawURL := flag.String("url", "", "glpinetd's base URL (http://127.0.0.1:PORT)")
	rate := flag.Int("rate", 0, "requests per second in all; 0: as fast as the server answers (capacity)")
	duration := flag.Duration("duration", time.Minute, "how long to send")
	conns := flag.Int("conns", 64, "concurrent requests (kept-alive connections from 127.0.0.1)")
	keys := flag.String("keys", "", "file of known registration keys, one per line")
	first := flag.Int("keys-first", 1, "first line of -keys to use")
	count := flag.Int("keys-count", 10000, "known keys to rotate over")
	unknown := flag.String("unknown", "", "file of well-formed unknown keys (bench/keygen)")
	mix := flag.String("mix", "info=55,plugins=15,archive=10,unaligned=5,hosts=5,unknown=5,unknown-one=5", "weights of the kinds of request")
	spreadFrom := flag.String("spread-from", "127.1.0.1", "first source address of the unknown kind")
	spread := flag.Int("spread", 200000, "source addresses the unknown kind rotates over")
	hosts := flag.Int("hosts", 100000, "made-up Host names the hosts kind rotates over")
	interval := flag.Duration("interval", 5*time.Second, "progress lines on stderr every this long; 0: none")
	flag.Parse()
	var cfg config
	var err error
	if cfg.base, err = url.Parse(*rawURL); err != nil || cfg.base.Host == "" {
		fail("-url must be an absolute URL")
	}
	if cfg.spreadFrom, err = netip.ParseAddr(*spreadFrom); err != nil || !cfg.spreadFrom.Is4() {
		fail("-spread-from must be an IPv4 address")
	}
	cfg.spread, cfg.hostsCount, cfg.rangesCount = max(1, *spread), max(1, *hosts), 46
	weights, err := parseMix(*mix)
	if err != nil {
		fail("-mix: %v", err)
	}
	if cfg.known, err = loadtest.ReadLines(*keys, *first, *count); err != nil {
		fail("-keys: %v", err)
	}
	if weights["unknown"]+weights["unknown-one"] > 0 {
		if cfg.unknown, err = loadtest.ReadLines(*unknown, 1, 0); err != nil {
			fail("-unknown: %v", err)
		}
	}
	plan := schedule(weights)

	tr := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var nextAddr atomic.Uint64
	spreadTr := &http.Transport{DisableKeepAlives: true, DisableCompression: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			ip := nth(cfg.spreadFrom, int(nextAddr.Add(1)-1)%cfg.spread)
			d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: ip.AsSlice()}}
			return d.DialContext(ctx, network, addr)
		}}
	spreadClient := &http.Client{Transport: spreadTr, Timeout: 30 * time.Second}
	if weights["archive"] > 0 {
		if cfg.archives, err = archiveURLs(client, cfg); err != nil {
			fail("reading the download URLs: %v", err)
		}
	}

	st := map[string]*stats{}
	for _, k := range kinds {
		st[k] = &stats{}
	}
	var seq atomic.Int64 // request number: picks the kind and the rotating values
	do := func(due time.Time) {
		i := int(seq.Add(1) - 1)
		kind := plan[i%len(plan)]
		req, c, check := cfg.request(kind, i, client, spreadClient)
		s := st[kind]
		resp, err := c.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		s.hist.add(time.Since(due))
		if err != nil {
			s.status[0].Add(1)
			return
		}
		s.status[min(5, resp.StatusCode/100)].Add(1)
		s.bytes.Add(int64(len(body)))
		if resp.StatusCode == http.StatusTooManyRequests {
			s.s429.Add(1)
		}
		if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Encoding") == "gzip" {
			s.gzip.Add(1)
		}
		if !check(resp, body) {
			s.bad.Add(1)
		}
	}

	start := time.Now()
	stop := start.Add(*duration)
	done := make(chan struct{})
	if *interval > 0 {
		go progress(st, start, *interval, done)
	}
	var wg sync.WaitGroup
	if *rate <= 0 {
		for range *conns {
			wg.Go(func() {
				for time.Now().Before(stop) {
					do(time.Now())
				}
			})
		}
	} else {
		// Open loop: each request has its due time; a server that falls
		// behind is charged for the wait. The queue is bounded: past two
		// seconds of backlog the schedule itself waits.
		queue := make(chan time.Time, 2**rate)
		for range *conns {
			wg.Go(func() {
				for due := range queue {
					do(due)
				}
			})
		}
		interval := time.Second / time.Duration(*rate)
		for i := 0; ; i++ {
			due := start.Add(time.Duration(i) * interval)
			if !due.Before(stop) {
				break
			}
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			queue <- due
		}
		close(queue)
	}
	wg.Wait()
	close(done)
	report(st, time.Since(start))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "soakgen: "+format+"\n", args...)
	os.Exit(1)
}

// parseMix reads "info=55,plugins=15,…".
func parseMix(s string) (map[string]int, error) {
	w := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 || !slices.Contains(kinds, k) {
			return nil, fmt.Errorf("bad weight %q (kinds: %s)", part, strings.Join(kinds, ", "))
		}
		w[k] = n
	}
	return w, nil
}

// schedule spreads the kinds over a cycle in proportion to their weights
// (smooth weighted round-robin), so that every second holds the same mix.
func schedule(w map[string]int) []string {
	total := 0
	for _, n := range w {
		total += n
	}
	if total == 0 {
		fail("-mix: every weight is 0")
	}
	cur := map[string]int{}
	plan := make([]string, 0, total)
	for range total {
		best := ""
		for _, k := range kinds {
			cur[k] += w[k]
			if best == "" || cur[k] > cur[best] {
				best = k
			}
		}
		cur[best] -= total
		plan = append(plan, best)
	}
	return plan
}

// nth returns the address n after a (IPv4, wrapping within 127/8 is the
// caller's business: -spread stays far below 16 million).
func nth(a netip.Addr, n int) netip.Addr {
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(n)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// request builds request number i of a kind, with the client to send it
// with and the check of its answer.
func (cfg *config) request(kind string, i int, client, spread *http.Client) (*http.Request, *http.Client, func(*http.Response, []byte) bool) {
	key := cfg.known[0]
	r, _ := http.NewRequest(http.MethodGet, cfg.base.String(), nil)
	u, h := r.URL, r.Header
	h.Set("User-Agent", userAgent)
	ok := func(resp *http.Response, _ []byte) bool { return resp.StatusCode == http.StatusOK }
	page := func() {
		u.Path = "/api/marketplace/plugins"
		h.Set("X-Range", "0-199")
		h.Set("Accept", "application/json")
		h.Set("Accept-Encoding", "gzip")
		h.Set("X-Registration-Key", key)
	}
	info := func(key string) {
		u.Path = "/api/registration/info"
		h.Set("Accept", "application/json")
		h.Set("Accept-Language", "en")
		h.Set("Content-Type", "application/json")
		h.Set("X-Registration-Key", key)
	}
	// verdict accepts an is_valid:false answer, or a 429 (past the
	// address's allowance) that GLPI does not cache.
	verdict := func(resp *http.Response, body []byte) bool {
		return resp.StatusCode == http.StatusTooManyRequests ||
			resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`"is_valid":false`))
	}
	switch kind {
	case "info":
		n := i % len(cfg.known)
		info(cfg.known[n])
		h.Set("X-Glpi-Network-Uid", fmt.Sprintf("soakInstance%028d", n))
		return r, client, func(resp *http.Response, body []byte) bool {
			return resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`"is_valid":true`))
		}
	case "plugins":
		page()
	case "archive":
		a, _ := url.Parse(cfg.archives[i%len(cfg.archives)])
		u.Path = a.Path
		h.Set("X-Registration-Key", key)
	case "unaligned":
		page()
		s := 7 + 6*(i%cfg.rangesCount)
		h.Set("X-Range", fmt.Sprintf("%d-%d", s, s+199))
	case "hosts":
		page()
		r.Host = fmt.Sprintf("h%06d.example", i%cfg.hostsCount)
	case "unknown":
		info(cfg.unknown[i%len(cfg.unknown)])
		return r, spread, verdict
	case "unknown-one":
		info(cfg.unknown[(i+len(cfg.unknown)/2)%len(cfg.unknown)])
		return r, client, verdict
	}
	return r, client, ok
}

var downloadURL = regexp.MustCompile(`"download_url":"([^"]+)"`)

// archiveURLs reads the download URLs of the first two catalogue pages.
func archiveURLs(client *http.Client, cfg config) ([]string, error) {
	var urls []string
	for _, rng := range []string{"0-199", "200-399"} {
		u := cfg.base.JoinPath("/api/marketplace/plugins")
		r, _ := http.NewRequest(http.MethodGet, u.String(), nil)
		r.Header.Set("User-Agent", userAgent)
		r.Header.Set("X-Range", rng)
		r.Header.Set("X-Registration-Key", cfg.known[0])
		resp, err := client.Do(r)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		for _, m := range downloadURL.FindAllSubmatch(body, -1) {
			urls = append(urls, strings.ReplaceAll(string(m[1]), `\/`, "/"))
		}
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("no download_url in the first pages")
	}
	return urls, nil
}

// progress prints the requests and bad statuses of each interval.
func progress(st map[string]*stats, start time.Time, every time.Duration, done <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	var lastReq, last5xx, lastErr int64
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		var req, s5xx, errs int64
		for _, s := range st {
			req += s.requests()
			s5xx += s.status[5].Load()
			errs += s.status[0].Load()
		}
		fmt.Fprintf(os.Stderr, "soakgen: %4.0fs: %.0f req/s, 5xx %d, errors %d\n", time.Since(start).Seconds(),
			float64(req-lastReq)/every.Seconds(), s5xx-last5xx, errs-lastErr)
		lastReq, last5xx, lastErr = req, s5xx, errs
	}
}

// report prints one line per kind that was sent and a total.
func report(st map[string]*stats, elapsed time.Duration) {
	var total stats
	line := func(name string, s *stats) {
		n := s.requests()
		fmt.Printf("kind=%s requests=%d rate=%.0f 2xx=%d 3xx=%d 4xx=%d 429=%d 5xx=%d errors=%d bad=%d gzip=%d MB=%.0f p50=%.2f p99=%.2f max=%.2f\n",
			name, n, float64(n)/elapsed.Seconds(), s.status[2].Load(), s.status[3].Load(), s.status[4].Load()-s.s429.Load(),
			s.s429.Load(), s.status[5].Load(), s.status[0].Load(), s.bad.Load(), s.gzip.Load(), float64(s.bytes.Load())/1e6,
			s.hist.quantile(0.5), s.hist.quantile(0.99), s.hist.quantile(1))
	}
	for _, k := range kinds {
		s := st[k]
		if s.requests() == 0 {
			continue
		}
		line(k, s)
		for i := range s.status {
			total.status[i].Add(s.status[i].Load())
		}
		total.s429.Add(s.s429.Load())
		total.bad.Add(s.bad.Load())
		total.gzip.Add(s.gzip.Load())
		total.bytes.Add(s.bytes.Load())
		total.hist.merge(&s.hist)
	}
	line("total", &total)
}

// histogram counts latencies in buckets 2% wide from 1 µs to over an
// hour: constant memory however long the soak.
type histogram struct {
	mu      sync.Mutex
	buckets [1200]int64
	max     time.Duration
}

const bucketGrowth = 1.02

func (h *histogram) add(d time.Duration) {
	us := max(1, float64(d.Microseconds()))
	b := min(len(h.buckets)-1, int(math.Log(us)/math.Log(bucketGrowth)))
	h.mu.Lock()
	h.buckets[b]++
	h.max = max(h.max, d)
	h.mu.Unlock()
}

func (h *histogram) merge(o *histogram) {
	for i, n := range o.buckets {
		h.buckets[i] += n
	}
	h.max = max(h.max, o.max)
}

// quantile returns the upper bound of the bucket holding quantile q, in
// milliseconds (q = 1: the exact maximum).
func (h *histogram) quantile(q float64) float64 {
	if q >= 1 {
		return float64(h.max.Microseconds()) / 1000
	}
	var n int64
	for _, c := range h.buckets {
		n += c
	}
	if n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(n)))
	var seen int64
	for i, c := range h.buckets {
		if seen += c; seen >= rank {
			return math.Pow(bucketGrowth, float64(i+1)) / 1000
		}
	}
	return float64(h.max.Microseconds()) / 1000
}
