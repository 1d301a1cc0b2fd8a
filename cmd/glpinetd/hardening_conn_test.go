package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	ghttp "github.com/glpinet/glpinet/http"
)

// closedWithin reports whether the server closes c (a read ends in EOF or
// a reset) within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

// ping asks /api/ping from a given local address.
func ping(t *testing.T, url, from string) error {
	t.Helper()
	d := &net.Dialer{Timeout: 2 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
	resp, err := c.Get(url + "/api/ping")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// TestTrickledBodiesAreCutOff replays the connection-exhaustion attack:
// clients sending a request body a byte at a time held their connection
// for ever. Past the grace time, a body must arrive at the minimum rate,
// or the connection is closed; others are still served meanwhile.
func TestTrickledBodiesAreCutOff(t *testing.T) {
	ts := startServerWith(t, nil, func(m *Main) {
		m.Transfer = ghttp.TransferRules{ReadGrace: 500 * time.Millisecond, WriteGrace: 2 * time.Second, MinRate: 1024}
	})
	addr := strings.TrimPrefix(ts.URL(), "http://")
	const n = 30
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=", addr)
		conns[i] = c
	}
	// Trickle a byte every 100 ms to each, for at most 4 s: the server
	// must close every connection well before.
	start := time.Now()
	var wg sync.WaitGroup
	cut := make(chan time.Duration, n)
	for _, c := range conns {
		wg.Go(func() {
			for time.Since(start) < 4*time.Second {
				if _, err := c.Write([]byte("a")); err != nil {
					cut <- time.Since(start)
					return
				}
				if closedWithin(c, 100*time.Millisecond) {
					cut <- time.Since(start)
					return
				}
			}
		})
	}
	if err := ping(t, ts.URL(), "127.0.0.1"); err != nil {
		t.Errorf("/api/ping while bodies trickle: %v", err)
	}
	wg.Wait()
	close(cut)
	if len(cut) != n {
		t.Fatalf("%d of %d trickling connections still open after 4 s", n-len(cut), n)
	}
	var slowest time.Duration
	for d := range cut {
		slowest = max(slowest, d)
	}
	t.Logf("all %d trickling connections closed, the last after %v", n, slowest)
}

// TestConnectionsPerAddress: one address cannot hold every connection;
// past its limit its new connections are closed at once, and other
// addresses are still served.
func TestConnectionsPerAddress(t *testing.T) {
	ts := startServerWith(t, nil, func(m *Main) { m.MaxConnsPerAddr = 10 })
	addr := strings.TrimPrefix(ts.URL(), "http://")
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 10 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	for i := range 5 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			continue // refused outright: as good
		}
		held = append(held, c)
		if !closedWithin(c, 2*time.Second) {
			t.Errorf("connection %d past the limit is still open", 11+i)
		}
	}
	// The first ten are still there: a request on one is answered.
	fmt.Fprintf(held[0], "GET /api/ping HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	held[0].SetReadDeadline(time.Now().Add(3 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(held[0]), nil); err != nil || resp.StatusCode != 200 {
		t.Errorf("request on a connection within the limit: %v %v", resp, err)
	}
	if err := ping(t, ts.URL(), "127.0.0.2"); err != nil {
		t.Errorf("/api/ping from another address: %v", err)
	}
}
