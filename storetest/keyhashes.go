package storetest

import (
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/google/go-cmp/cmp"
)

// testEachKeyHash: EachKeyHash yields every stored key once, whatever its
// state (revoked, rotated, imported), and stops at fn's first error.
func testEachKeyHash(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)

	each := func() []string {
		t.Helper()
		var got []string
		if err := s.EachKeyHash(ctx, func(h [32]byte) error {
			got = append(got, hex.EncodeToString(h[:]))
			return nil
		}); err != nil {
			t.Fatalf("EachKeyHash: %v", err)
		}
		slices.Sort(got)
		return got
	}
	if got := each(); len(got) != 0 {
		t.Fatalf("EachKeyHash on an empty store = %v", got)
	}

	var want []string
	add := func(h [32]byte) { want = append(want, hex.EncodeToString(h[:])) }
	a, b := mustAccount(t, s, "ACME"), mustAccount(t, s, "Globex")
	_, kept := mustKey(t, s, a.ID)
	_, revoked := mustKey(t, s, a.ID)
	_, rotated := mustKey(t, s, b.ID)
	add(kept.Hash)
	add(revoked.Hash)
	add(rotated.Hash)
	if err := s.RevokeKey(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	raw, _ := glpinet.GenerateKey()
	next := &glpinet.RegistrationKey{Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)}
	if err := s.RotateKey(ctx, rotated.ID, next, c.t.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	add(next.Hash)
	var bulk []*glpinet.RegistrationKey
	for range 300 {
		r, _ := glpinet.GenerateKey()
		bulk = append(bulk, &glpinet.RegistrationKey{AccountID: b.ID, Hash: glpinet.HashKey(r), Prefix: glpinet.KeyDisplayPrefix(r)})
		add(bulk[len(bulk)-1].Hash)
	}
	if err := s.CreateKeys(ctx, bulk); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, each()); diff != "" {
		t.Fatalf("EachKeyHash (-want +got):\n%s", diff)
	}

	stop := errors.New("enough")
	calls := 0
	err := s.EachKeyHash(ctx, func([32]byte) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("EachKeyHash with fn failing: %d calls, error %v; want 1 call and fn's error", calls, err)
	}
	// The store is usable afterwards (the stopped read released its
	// connection).
	if _, err := s.FindKeyRecord(ctx, kept.Hash); err != nil {
		t.Fatalf("FindKeyRecord after a stopped EachKeyHash: %v", err)
	}
}
