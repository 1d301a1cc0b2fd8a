// Command loadgen sends HTTP requests at a fixed rate and reports latency
// percentiles. Unlike wrk, which sends as fast as the server answers (so
// its latencies measure queueing at saturation), it is open-loop: each
// request has a scheduled start, and its latency counts from then, so a
// server that falls behind is charged for the wait (no "coordinated
// omission"). The benchmark uses it to measure p99 at a given load.
//
//	loadgen -url URL -rate 5000 -duration 15s -conns 64 -H 'Name: value' …
//	        [-keys FILE -first N -count M]   # rotate X-Registration-Key over lines N..N+M-1
//
// It prints one line: requests=… errors=… rate=… p50=… p90=… p99=… max=…
// (milliseconds).
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet/bench/internal/loadtest"
)

func main() {
	url := flag.String("url", "", "URL to request (GET)")
	rate := flag.Int("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	conns := flag.Int("conns", 64, "concurrent connections")
	keys := flag.String("keys", "", "file of registration keys, one per line")
	first := flag.Int("first", 1, "first line of -keys to use (1-based)")
	count := flag.Int("count", 0, "how many keys of -keys to rotate over")
	perSecond := flag.Bool("per-second", false, "also print the p99 of each second of the run")
	var hs loadtest.Headers
	flag.Var(&hs, "H", "header 'Name: value' (repeatable)")
	flag.Parse()
	if *url == "" || *rate <= 0 || *conns <= 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -url, a positive -rate and -conns are required")
		os.Exit(2)
	}
	var rotate []string
	if *keys != "" {
		var err error
		if rotate, err = loadtest.ReadLines(*keys, *first, *count); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
	}

	tr := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	total := int(float64(*rate) * duration.Seconds())
	schedule := make(chan time.Time, total)
	lat := make([]time.Duration, total)
	var n, errs atomic.Int64
	var wg sync.WaitGroup
	for range *conns {
		wg.Go(func() {
			for due := range schedule {
				i := n.Add(1) - 1
				req, _ := http.NewRequest(http.MethodGet, *url, nil)
				for _, h := range hs {
					k, v, _ := strings.Cut(h, ":")
					req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
				}
				if rotate != nil {
					req.Header.Set("X-Registration-Key", rotate[int(i)%len(rotate)])
				}
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 400 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					errs.Add(1)
				}
				lat[i] = time.Since(due)
			}
		})
	}
	start := time.Now()
	interval := time.Second / time.Duration(*rate)
	for i := range total {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		schedule <- due
	}
	close(schedule)
	wg.Wait()
	elapsed := time.Since(start)
	done := lat[:n.Load()]
	if *perSecond {
		// Requests are numbered in schedule order, so second s holds
		// requests s×rate to (s+1)×rate.
		for s := 0; s*(*rate) < len(done); s++ {
			sec := slices.Clone(done[s*(*rate) : min(len(done), (s+1)*(*rate))])
			slices.Sort(sec)
			fmt.Fprintf(os.Stderr, "second %d: p99=%.2f max=%.2f\n", s, float64(sec[len(sec)*99/100].Microseconds())/1000, float64(sec[len(sec)-1].Microseconds())/1000)
		}
	}
	slices.Sort(done)
	pct := func(p float64) float64 {
		if len(done) == 0 {
			return 0
		}
		return float64(done[min(len(done)-1, int(p*float64(len(done))))].Microseconds()) / 1000
	}
	fmt.Printf("requests=%d errors=%d rate=%.0f p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
		len(done), errs.Load(), float64(len(done))/elapsed.Seconds(), pct(0.50), pct(0.90), pct(0.99), pct(1))
}
