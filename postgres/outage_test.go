package postgres_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/internal/proxytest"
	"github.com/glpinet/glpinet/postgres"
)

// TestOutage: with the database unreachable, reads fail with EUNAVAILABLE
// (which the validator passes on as a 5xx), never ENOTFOUND (which it
// would cache as an unknown key); the pool recovers once the database is
// back, without reopening the store.
func TestOutage(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	u, _ := url.Parse(dsn)
	proxy := proxytest.StartFault(t, u.Host)
	u.Host = proxy.Addr
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

	proxy.Cut()
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

	proxy.Restore()
	if rec, err := db.FindKeyRecord(ctx, hash); err != nil || rec.Account.ID != a.ID {
		t.Fatalf("FindKeyRecord after the outage = %v, %v", rec, err)
	}
}
