package proxytest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Fault is a TCP relay on a loopback port that a test can cut and
// restore, to put a real network fault between a program and a server
// (glpinetd and PostgreSQL): while cut, open connections are closed and
// new ones are accepted then closed at once, as when a database host
// restarts.
type Fault struct {
	// Addr is the relay's address, to use instead of the target's.
	Addr string

	target string
	ln     net.Listener
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// StartFault relays a loopback port to target until the test ends.
func StartFault(t testing.TB, target string) *Fault {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &Fault{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	f.wg.Add(1)
	go f.accept()
	t.Cleanup(func() {
		ln.Close()
		f.Cut()
		f.wg.Wait()
	})
	return f
}

// Cut closes every relayed connection and refuses new ones.
func (f *Fault) Cut() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cut = true
	for c := range f.conns {
		c.Close()
	}
}

// Restore relays new connections again.
func (f *Fault) Restore() {
	f.mu.Lock()
	f.cut = false
	f.mu.Unlock()
}

func (f *Fault) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.relay(c)
		}()
	}
}

// track registers c unless the relay is cut.
func (f *Fault) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cut {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

func (f *Fault) untrack(cs ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		delete(f.conns, c)
		c.Close()
	}
}

func (f *Fault) relay(client net.Conn) {
	if !f.track(client) {
		client.Close()
		return
	}
	server, err := net.Dial("tcp", f.target)
	if err != nil || !f.track(server) {
		if server != nil {
			server.Close()
		}
		f.untrack(client)
		return
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(server, client); done <- struct{}{} }()
	go func() { io.Copy(client, server); done <- struct{}{} }()
	<-done
	f.untrack(client, server)
	<-done
}
