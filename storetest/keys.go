package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/google/go-cmp/cmp"
)

func testKeys(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := mustAccount(t, s, "ACME")
	raw, k := mustKey(t, s, a.ID)

	rec, err := s.FindKeyRecord(ctx, glpinet.HashKey(raw))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*k, rec.Key); diff != "" {
		t.Fatalf("FindKeyRecord key (-want +got):\n%s", diff)
	}
	if rec.Account.ID != a.ID || rec.Account.Name != "ACME" || len(rec.Subscriptions) != 1 {
		t.Fatalf("FindKeyRecord = %+v", rec)
	}
	_, err = s.FindKeyRecord(ctx, glpinet.HashKey("gnk_other"))
	wantCode(t, err, glpinet.ENOTFOUND)

	dup := &glpinet.RegistrationKey{AccountID: a.ID, Hash: k.Hash, Prefix: k.Prefix}
	wantCode(t, s.CreateKey(ctx, dup), glpinet.ECONFLICT)
	wantCode(t, s.CreateKey(ctx, &glpinet.RegistrationKey{AccountID: 777, Hash: glpinet.HashKey("x")}), glpinet.ENOTFOUND)

	// Rotation: a new key, the old one kept for a grace period.
	c.t = c.t.Add(time.Minute)
	raw2, _ := glpinet.GenerateKey()
	next := &glpinet.RegistrationKey{Hash: glpinet.HashKey(raw2), Prefix: glpinet.KeyDisplayPrefix(raw2)}
	grace := c.t.Add(glpinet.DefaultRotationGrace)
	if err := s.RotateKey(ctx, k.ID, next, grace); err != nil {
		t.Fatal(err)
	}
	if next.ID == 0 || next.AccountID != a.ID {
		t.Fatalf("rotated key = %+v", next)
	}
	old, err := s.FindKeyByID(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if old.ReplacedBy == nil || *old.ReplacedBy != next.ID || old.GraceUntil == nil || !old.GraceUntil.Equal(grace) {
		t.Fatalf("old key after rotation = %+v", old)
	}
	wantCode(t, s.RotateKey(ctx, k.ID, &glpinet.RegistrationKey{Hash: glpinet.HashKey("y")}, grace), glpinet.ECONFLICT)
	wantCode(t, s.RotateKey(ctx, 5555, &glpinet.RegistrationKey{Hash: glpinet.HashKey("z")}, grace), glpinet.ENOTFOUND)

	keys, _, err := s.ListKeys(ctx, a.ID, glpinet.Page{})
	if err != nil || len(keys) != 2 || keys[0].ID != next.ID {
		t.Fatalf("ListKeys = %v, %v", keys, err)
	}

	// Revocation is immediate and final.
	c.t = c.t.Add(time.Minute)
	if err := s.RevokeKey(ctx, next.ID); err != nil {
		t.Fatal(err)
	}
	rec, _ = s.FindKeyRecord(ctx, glpinet.HashKey(raw2))
	if rec.Key.RevokedAt == nil || !rec.Key.RevokedAt.Equal(c.t) {
		t.Fatalf("revoked key = %+v", rec.Key)
	}
	wantCode(t, s.RevokeKey(ctx, next.ID), glpinet.ECONFLICT)
	wantCode(t, s.RevokeKey(ctx, 5555), glpinet.ENOTFOUND)
	wantCode(t, s.RotateKey(ctx, next.ID, &glpinet.RegistrationKey{Hash: glpinet.HashKey("w")}, grace), glpinet.ECONFLICT)

	// Bulk creation.
	var bulk []*glpinet.RegistrationKey
	for i := 0; i < 50; i++ {
		r, _ := glpinet.GenerateKey()
		bulk = append(bulk, &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(r), Prefix: glpinet.KeyDisplayPrefix(r)})
	}
	before, err := s.LastChangeID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKeys(ctx, bulk); err != nil {
		t.Fatal(err)
	}
	if rec, err := s.FindKeyRecord(ctx, bulk[49].Hash); err != nil || rec.Key.ID != bulk[49].ID {
		t.Fatalf("bulk key lookup = %+v, %v", rec, err)
	}
	wantCode(t, s.CreateKeys(ctx, []*glpinet.RegistrationKey{{AccountID: a.ID, Hash: bulk[0].Hash}}), glpinet.ECONFLICT)
	// The batch is announced by one change (so that validators read their
	// key set again), not one per key; the refused batch by none.
	changes, err := s.ChangesSince(ctx, before, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) == 1 {
		changes[0].ID = 0 // the store's to number
	}
	want := []glpinet.Change{{Topic: glpinet.TopicKeys, Subject: "50", At: c.t}}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Fatalf("changes of CreateKeys (-want +got):\n%s", diff)
	}
}

// testKeyRotationRace rotates one key from several goroutines at once:
// exactly one rotation must win, the others get ECONFLICT, and the key ends
// with exactly one replacement.
func testKeyRotationRace(t *testing.T, open Opener) {
	s := open(t, time.Now)
	ctx := ctxFor(t)
	a := mustAccount(t, s, "ACME")
	_, k := mustKey(t, s, a.ID)

	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, _ := glpinet.GenerateKey()
			errs[i] = s.RotateKey(ctx, k.ID, &glpinet.RegistrationKey{Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)}, time.Now().Add(time.Hour))
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch glpinet.ErrorCode(err) {
		case "":
			wins++
		case glpinet.ECONFLICT:
		default:
			t.Fatalf("unexpected error from a concurrent rotation: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d rotations succeeded, want exactly 1", wins)
	}
	keys, _, _ := s.ListKeys(ctx, a.ID, glpinet.Page{})
	if len(keys) != 2 {
		t.Fatalf("account has %d keys after the race, want 2", len(keys))
	}
}

func testInstances(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	a := mustAccount(t, s, "ACME")
	_, k := mustKey(t, s, a.ID)
	t0 := c.t
	uid := "abcdefghijABCDEFGHIJ0123456789abcdefghij"
	err := s.RecordSightings(ctx, []glpinet.Sighting{
		{KeyID: k.ID, AccountID: a.ID, UID: uid, GLPIVersion: "10.0.16", InstallMode: "TARBALL", At: t0},
		{KeyID: k.ID, AccountID: a.ID, UID: "other", GLPIVersion: "11.0.4", InstallMode: "GIT", At: t0.Add(time.Second)},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.RecordSightings(ctx, []glpinet.Sighting{{KeyID: k.ID, AccountID: a.ID, UID: uid, GLPIVersion: "11.0.4", InstallMode: "TARBALL", At: t0.Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	// A late flush (another replica's batch, older) does not bring back
	// the version the instance ran before its upgrade.
	err = s.RecordSightings(ctx, []glpinet.Sighting{{KeyID: k.ID, AccountID: a.ID, UID: uid, GLPIVersion: "10.0.16", InstallMode: "GIT", At: t0.Add(30 * time.Minute)}})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := s.ListInstances(ctx, a.ID, glpinet.Page{})
	if err != nil {
		t.Fatal(err)
	}
	want := []*glpinet.Instance{
		{KeyID: k.ID, AccountID: a.ID, UID: uid, GLPIVersion: "11.0.4", InstallMode: "TARBALL", FirstSeen: t0, LastSeen: t0.Add(time.Hour)},
		{KeyID: k.ID, AccountID: a.ID, UID: "other", GLPIVersion: "11.0.4", InstallMode: "GIT", FirstSeen: t0.Add(time.Second), LastSeen: t0.Add(time.Second)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ListInstances (-want +got):\n%s", diff)
	}
}
