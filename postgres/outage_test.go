package postgres_test

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/postgres"
)

// cutter is a TCP proxy to PostgreSQL that the test can cut (closing
// every connection and refusing new ones) and restore on the same address.
type cutter struct {
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func newCutter(t *testing.T, target string) *cutter {
	c := &cutter{target: target}
	c.restore(t)
	c.addr = c.ln.Addr().String()
	t.Cleanup(c.cut)
	return c
}

func (c *cutter) restore(t *testing.T) {
	t.Helper()
	addr := c.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.ln = ln
	c.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", c.target)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
}

func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ln.Close()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

// TestOutage: with the database unreachable, reads fail with EUNAVAILABLE
// (which the validator passes on as a 5xx), never ENOTFOUND (which it
// would cache as an unknown key); the pool recovers once the database is
// back, without reopening the store.
func TestOutage(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	u, _ := url.Parse(dsn)
	proxy := newCutter(t, u.Host)
	u.Host = proxy.addr
	db, err := postgres.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	a := &glpinet.Account{Name: "ACME"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	raw, _ := glpinet.GenerateKey()
	hash := glpinet.HashKey(raw)
	if err := db.CreateKey(ctx, &glpinet.RegistrationKey{AccountID: a.ID, Hash: hash, Prefix: glpinet.KeyDisplayPrefix(raw)}); err != nil {
		t.Fatal(err)
	}
	l := listen(t, db)

	proxy.cut()
	start := time.Now()
	if _, err := db.FindKeyRecord(ctx, hash); glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
		t.Fatalf("FindKeyRecord during the outage = %v, want EUNAVAILABLE", err)
	}
	if _, err := db.FindKeyRecord(ctx, glpinet.HashKey("gnk_unknown")); glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
		t.Fatalf("FindKeyRecord of an unknown key during the outage = %v, want EUNAVAILABLE", err)
	}
	if err := db.RevokeKey(ctx, 1); glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
		t.Fatalf("RevokeKey during the outage = %v, want EUNAVAILABLE", err)
	}
	if err := db.Ping(ctx); glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
		t.Fatalf("Ping during the outage = %v, want EUNAVAILABLE", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("failing took %v", d)
	}
	select {
	case err := <-l.done:
		if glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
			t.Fatalf("ListenChanges during the outage = %v, want EUNAVAILABLE", err)
		}
		l.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("ListenChanges still running 5s into the outage")
	}

	proxy.restore(t)
	if rec, err := db.FindKeyRecord(ctx, hash); err != nil || rec.Account.ID != a.ID {
		t.Fatalf("FindKeyRecord after the outage = %v, %v", rec, err)
	}
}
