//go:build linux

// Command slowclients holds many slow HTTP connections to a server, from
// loopback source addresses other than the load generator's, and reports
// how long the server kept each one: bench/run.sh's slow-clients run (and
// bench/soak.sh) measure /api/registration/info with wrk from 127.0.0.1
// meanwhile.
//
//	slowclients -addr 127.0.0.1:8080 -from 127.0.0.2 -addrs 8 -conns 2300 -max 90s
//	slowclients … -hold -duration 10m   # reopen each connection the server closes
//
// Connections are spread round-robin over -addrs consecutive source
// addresses from -from, and over the -modes:
//
//	headers  a request whose header lines trickle in, one every -interval,
//	         never finished (slowloris)
//	body     a form POST declaring a 16,000-byte body that trickles in, one
//	         byte every -interval
//	read     -pipeline requests sent at once for a response larger than the
//	         socket buffers (by default the 85 KB gzip plugins page), whose
//	         answers are never read; the socket's receive buffer and MSS are
//	         made small so that the server's writes block early
//
// Whether the server still holds a connection is read from the server's end
// of it in /proc/net/tcp (state ESTABLISHED), since a client that never
// reads cannot see a close. A connection the server drops within
// -refused-within of opening counts as refused (a connection limit); later,
// as cut (a time-out). It prints one line per mode and a total:
//
//	mode=read attempted=767 held=683 refused=84 cut=683 open=0 cut_p50=51.2 cut_max=52.0
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/glpinet/glpinet/bench/internal/loadtest"
)

type options struct {
	addr          string
	host          string
	from          netip.Addr
	addrs         int
	conns         int
	modes         []string
	interval      time.Duration
	pipeline      int
	readPath      string
	readHeaders   loadtest.Headers
	bodyPath      string
	max           time.Duration
	hold          bool
	duration      time.Duration
	refusedWithin time.Duration
	poll          time.Duration
}

// conn is one slow connection and what became of it.
type conn struct {
	mode    string
	src     netip.Addr
	c       *net.TCPConn
	local   netip.AddrPort // the client's end: the server's end is keyed by it
	opened  time.Time
	closed  time.Time   // when the server's end was seen closed
	gone    atomic.Bool // closed is set (read by the trickling goroutine)
	trickle int
}

func main() {
	var o options
	from := flag.String("from", "127.0.0.2", "first source address")
	modes := flag.String("modes", "headers,body,read", "comma-separated modes, assigned round-robin")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8080", "server address")
	flag.StringVar(&o.host, "host", "", "Host header (default: -addr)")
	flag.IntVar(&o.addrs, "addrs", 8, "consecutive source addresses to spread the connections over")
	flag.IntVar(&o.conns, "conns", 2000, "connections")
	flag.DurationVar(&o.interval, "interval", 2*time.Second, "time between two trickled bytes or header lines")
	flag.IntVar(&o.pipeline, "pipeline", 4, "read mode: requests sent at once")
	flag.StringVar(&o.readPath, "read-path", "/api/marketplace/plugins", "read mode: the path requested")
	flag.Var(&o.readHeaders, "H", "read mode: header 'Name: value' (repeatable; default: GLPI's plugins page request, gzip)")
	flag.StringVar(&o.bodyPath, "body-path", "/login", "body mode: the path posted to")
	flag.DurationVar(&o.max, "max", 90*time.Second, "stop waiting for the server to close the connections after this")
	flag.BoolVar(&o.hold, "hold", false, "reopen every connection the server closes, until -duration")
	flag.DurationVar(&o.duration, "duration", time.Minute, "with -hold: how long to hold the connections")
	flag.DurationVar(&o.refusedWithin, "refused-within", 2*time.Second, "a connection closed this soon counts as refused")
	flag.DurationVar(&o.poll, "poll", 500*time.Millisecond, "how often the server's ends are looked at")
	flag.Parse()
	var err error
	if o.from, err = netip.ParseAddr(*from); err != nil || !o.from.Is4() {
		fail("-from must be an IPv4 address: %q", *from)
	}
	o.modes = strings.Split(*modes, ",")
	for _, m := range o.modes {
		if m != "headers" && m != "body" && m != "read" {
			fail("unknown mode %q", m)
		}
	}
	if o.host == "" {
		o.host = o.addr
	}
	if len(o.readHeaders) == 0 {
		o.readHeaders = loadtest.Headers{"X-Range: 0-199", "User-Agent: GLPI/10.0.16 (installation-mode:TARBALL)",
			"Accept: application/json", "Accept-Encoding: gzip"}
	}
	if o.conns <= 0 || o.addrs <= 0 {
		fail("-conns and -addrs must be positive")
	}
	if err := run(o); err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "slowclients: "+format+"\n", args...)
	os.Exit(1)
}

func run(o options) error {
	server, err := netip.ParseAddrPort(o.addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	start := time.Now()
	var mu sync.Mutex
	var all []*conn // every connection opened, in order
	open := func(i int) *conn {
		src := o.from
		for range i % o.addrs {
			src = src.Next()
		}
		c := &conn{mode: o.modes[i%len(o.modes)], src: src}
		if err := c.dial(o); err != nil {
			fmt.Fprintf(os.Stderr, "slowclients: %s from %s: %v\n", c.mode, src, err)
			return nil
		}
		mu.Lock()
		all = append(all, c)
		mu.Unlock()
		return c
	}

	// Open the connections, a few at a time.
	slot := make([]*conn, o.conns)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				slot[i] = open(i)
			}
		})
	}
	for i := range o.conns {
		next <- i
	}
	close(next)
	wg.Wait()
	fmt.Fprintf(os.Stderr, "slowclients: %d connections opened in %.1fs\n", len(all), time.Since(start).Seconds())

	// Trickle, watch the server's ends, reopen in hold mode.
	var stopped atomic.Bool
	defer stopped.Store(true)
	go func() {
		for range time.Tick(o.interval) {
			if stopped.Load() {
				return
			}
			mu.Lock()
			live := slices.Clone(slot)
			mu.Unlock()
			for _, c := range live {
				if c != nil && !c.gone.Load() {
					c.tick()
				}
			}
		}
	}()
	end := start.Add(o.max)
	if o.hold {
		end = start.Add(o.duration)
	}
	lastReport := time.Now()
	for time.Now().Before(end) {
		time.Sleep(o.poll)
		held, err := serverHeld(server)
		if err != nil {
			return err
		}
		now := time.Now()
		openCount := 0
		for i, c := range slot {
			if c == nil || !c.closed.IsZero() {
				continue
			}
			if !held[c.local] {
				c.closed = now
				c.gone.Store(true)
				c.c.Close()
				if o.hold {
					mu.Lock()
					slot[i] = nil
					mu.Unlock()
					nc := open(i)
					mu.Lock()
					slot[i] = nc
					mu.Unlock()
					if nc != nil {
						openCount++
					}
				}
				continue
			}
			openCount++
		}
		if now.Sub(lastReport) >= 5*time.Second {
			lastReport = now
			fmt.Fprintf(os.Stderr, "slowclients: %4.0fs: %d held by the server\n", now.Sub(start).Seconds(), openCount)
		}
		if openCount == 0 && !o.hold {
			break
		}
	}
	stopped.Store(true)
	mu.Lock()
	defer mu.Unlock()
	report(o, all, time.Now())
	for _, c := range all {
		c.c.Close()
	}
	return nil
}

// dial opens the connection from c.src and sends the start of its request.
func (c *conn) dial(o options) error {
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: c.src.AsSlice()}}
	if c.mode == "read" {
		// Small buffers and segments: the server's writes block after a
		// few tens of kilobytes instead of megabytes (loopback's MSS is
		// 64 KiB, and the server's send buffer is sized from it).
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				if serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096); serr == nil {
					serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 1024)
				}
			})
			if err != nil {
				return err
			}
			return serr
		}
	}
	nc, err := d.Dial("tcp4", o.addr)
	if err != nil {
		return err
	}
	c.c = nc.(*net.TCPConn)
	c.local = c.c.LocalAddr().(*net.TCPAddr).AddrPort()
	c.local = netip.AddrPortFrom(c.local.Addr().Unmap(), c.local.Port())
	c.opened = time.Now()
	var req strings.Builder
	switch c.mode {
	case "headers":
		fmt.Fprintf(&req, "GET /api/registration/info HTTP/1.1\r\nHost: %s\r\nUser-Agent: slowclients\r\n", o.host)
	case "body":
		fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: slowclients\r\n"+
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 16000\r\n\r\n", o.bodyPath, o.host)
	case "read":
		for range o.pipeline {
			fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\n", o.readPath, o.host)
			for _, h := range o.readHeaders {
				req.WriteString(h + "\r\n")
			}
			req.WriteString("\r\n")
		}
	}
	// A connection refused by a limit is closed at once: writing to it
	// may fail, and it is counted as refused all the same.
	c.c.SetWriteDeadline(time.Now().Add(time.Second))
	c.c.Write([]byte(req.String()))
	return nil
}

// tick sends the next trickled piece of a headers or body request.
func (c *conn) tick() {
	var p string
	switch c.mode {
	case "headers":
		p = fmt.Sprintf("X-Slow-%d: 1\r\n", c.trickle)
	case "body":
		p = "a"
	default:
		return
	}
	c.trickle++
	c.c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	c.c.Write([]byte(p)) // a failure shows in the server's end, watched apart
}

// serverHeld returns the client ends of the connections whose server end
// (local address server) is ESTABLISHED, from /proc/net/tcp.
func serverHeld(server netip.AddrPort) (map[netip.AddrPort]bool, error) {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	held := map[netip.AddrPort]bool{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header line
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || fields[3] != "01" { // TCP_ESTABLISHED
			continue
		}
		local, ok1 := procAddr(fields[1])
		remote, ok2 := procAddr(fields[2])
		if ok1 && ok2 && local == server {
			held[remote] = true
		}
	}
	return held, sc.Err()
}

// procAddr parses an IPv4 address of /proc/net/tcp ("0100007F:1F90": the
// address in the machine's byte order, the port in hexadecimal).
func procAddr(s string) (netip.AddrPort, bool) {
	a, p, ok := strings.Cut(s, ":")
	b, err := hex.DecodeString(a)
	if !ok || err != nil || len(b) != 4 {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	var ip [4]byte
	binary.NativeEndian.PutUint32(ip[:], binary.BigEndian.Uint32(b))
	return netip.AddrPortFrom(netip.AddrFrom4(ip), uint16(port)), true
}

// report prints, per mode and in total, what became of the connections.
func report(o options, all []*conn, now time.Time) {
	modes := append(slices.Clone(o.modes), "total")
	seen := map[string]bool{}
	for _, m := range modes {
		if seen[m] {
			continue
		}
		seen[m] = true
		var attempted, refused, open int
		var cut []float64
		for _, c := range all {
			if m != "total" && c.mode != m {
				continue
			}
			attempted++
			switch life := c.closed.Sub(c.opened); {
			case c.closed.IsZero():
				open++
			case life < o.refusedWithin:
				refused++
			default:
				cut = append(cut, life.Seconds())
			}
		}
		slices.Sort(cut)
		pct := func(p float64) float64 {
			if len(cut) == 0 {
				return 0
			}
			return cut[min(len(cut)-1, int(p*float64(len(cut))))]
		}
		fmt.Printf("mode=%s attempted=%d held=%d refused=%d cut=%d open=%d cut_p50=%.1f cut_max=%.1f\n",
			m, attempted, attempted-refused, refused, len(cut), open, pct(0.5), pct(1))
	}
}
