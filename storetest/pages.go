package storetest

import (
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// pageRows is how many rows each list holds before it is walked: more
// than two pages of pageLimit.
const (
	pageRows  = 125
	pageLimit = 50
)

// walkPages reads every page of a list with pages of pageLimit rows and
// returns the rows' identities in the order read; insert runs between
// two pages (rows written while a visitor pages through the list).
func walkPages[T any](t *testing.T, list func(glpinet.Page) ([]T, string, error), id func(T) string, insert func()) []string {
	t.Helper()
	var out []string
	p := glpinet.Page{Limit: pageLimit}
	for pages := 0; ; pages++ {
		if pages > pageRows { // a cursor that does not advance
			t.Fatalf("more than %d pages: the cursor does not advance", pageRows)
		}
		rows, next, err := list(p)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		if len(rows) > pageLimit {
			t.Fatalf("page %d holds %d rows, more than the limit %d", pages+1, len(rows), pageLimit)
		}
		for _, r := range rows {
			out = append(out, id(r))
		}
		if next == "" {
			return out
		}
		if len(rows) < pageLimit {
			t.Fatalf("page %d holds %d rows but a next page follows", pages+1, len(rows))
		}
		p.After = next
		insert()
	}
}

// checkWalk reports a row read twice, a row of want missing, or rows out
// of want's order (want holds the rows that existed before the walk, in
// the list's order; rows inserted during the walk may be read or not).
func checkWalk(t *testing.T, got, want []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			t.Fatalf("row %s read twice", g)
		}
		seen[g] = true
	}
	var kept []string
	for _, g := range got {
		if slices.Contains(want, g) {
			kept = append(kept, g)
		}
	}
	for _, w := range want {
		if !seen[w] {
			t.Fatalf("row %s missing (%d of %d rows read)", w, len(kept), len(want))
		}
	}
	if !slices.Equal(kept, want) {
		t.Fatalf("rows out of order:\n got %v\nwant %v", kept, want)
	}
}

// refusesBadCursors checks that list answers EINVALID to malformed
// cursors and to another list's cursor.
func refusesBadCursors[T any](t *testing.T, list func(glpinet.Page) ([]T, string, error)) {
	t.Helper()
	other := glpinet.IDCursor("elsewhere", 1)
	for _, c := range []string{"%%%", "not a cursor!", base64.RawURLEncoding.EncodeToString([]byte("garbage")), other,
		base64.RawURLEncoding.EncodeToString([]byte(glpinet.CursorInstances + "\x1fyesterday\x1f1\x1fuid")),
		base64.RawURLEncoding.EncodeToString([]byte(glpinet.CursorKeys + "\x1f-4"))} {
		_, _, err := list(glpinet.Page{After: c, Limit: pageLimit})
		if glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Fatalf("cursor %q: error %v, want %s", c, err, glpinet.EINVALID)
		}
	}
}

func idString(id int64) string { return fmt.Sprint(id) }

func testPages(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)

	a := &glpinet.Account{Name: "Paged"}
	if err := s.SignUp(ctx, a, newUser("owner@paged.example")); err != nil {
		t.Fatal(err)
	}

	t.Run("Accounts", func(t *testing.T) {
		want := []string{idString(a.ID)}
		for i := range pageRows {
			want = append(want, idString(mustAccount(t, s, fmt.Sprintf("Account %03d", i)).ID))
		}
		list := func(p glpinet.Page) ([]*glpinet.Account, string, error) {
			return s.FindAccounts(ctx, glpinet.AccountFilter{Page: p})
		}
		got := walkPages(t, list, func(a *glpinet.Account) string { return idString(a.ID) }, func() { mustAccount(t, s, "Inserted") })
		checkWalk(t, got, want)
		// Accounts come by ID: those inserted during the walk come last,
		// and are read.
		if len(got) != len(want)+2 {
			t.Fatalf("read %d accounts, want the %d there were and the 2 inserted", len(got), len(want))
		}
		refusesBadCursors(t, list)
		// Another list's cursor is refused too.
		_, next, _ := s.ListAuditEvents(ctx, glpinet.AuditFilter{Page: glpinet.Page{Limit: 1}})
		if _, _, err := list(glpinet.Page{After: next}); glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Fatalf("an audit cursor given to the accounts: %v, want %s", err, glpinet.EINVALID)
		}
		// A filter keeps working across pages.
		named := func(p glpinet.Page) ([]*glpinet.Account, string, error) {
			return s.FindAccounts(ctx, glpinet.AccountFilter{Name: ptr("account 1"), Page: p})
		}
		got = walkPages(t, named, func(a *glpinet.Account) string { return a.Name }, func() {})
		if len(got) != 25 || got[0] != "Account 100" || got[24] != "Account 124" {
			t.Fatalf("accounts named like \"account 1\": %d, %v", len(got), got)
		}
	})

	t.Run("Audit", func(t *testing.T) {
		all, err := glpinet.All(func(p glpinet.Page) ([]*glpinet.AuditEvent, string, error) {
			return s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "account.create", Page: p})
		})
		if err != nil || len(all) < pageRows {
			t.Fatalf("account.create events: %d, %v", len(all), err)
		}
		var want []string
		for _, e := range all {
			want = append(want, idString(e.ID))
		}
		list := func(p glpinet.Page) ([]*glpinet.AuditEvent, string, error) {
			return s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "account.create", Page: p})
		}
		got := walkPages(t, list, func(e *glpinet.AuditEvent) string { return idString(e.ID) }, func() { mustAccount(t, s, "Inserted") })
		// Newest first: events written during the walk come before the
		// cursor and are not read.
		checkWalk(t, got, want)
		if len(got) != len(want) {
			t.Fatalf("read %d events, want %d", len(got), len(want))
		}
		refusesBadCursors(t, list)
	})

	t.Run("Keys", func(t *testing.T) {
		var keys []*glpinet.RegistrationKey
		for i := range pageRows {
			raw := fmt.Sprintf("gnk_page%03d", i)
			keys = append(keys, &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(raw), Prefix: raw})
		}
		if err := s.CreateKeys(ctx, keys); err != nil {
			t.Fatal(err)
		}
		all, err := glpinet.All(func(p glpinet.Page) ([]*glpinet.RegistrationKey, string, error) { return s.ListKeys(ctx, a.ID, p) })
		if err != nil || len(all) != pageRows {
			t.Fatalf("keys: %d, %v", len(all), err)
		}
		var want []string
		for _, k := range all {
			want = append(want, idString(k.ID))
		}
		if !slices.IsSortedFunc(all, func(x, y *glpinet.RegistrationKey) int { return int(y.ID - x.ID) }) {
			t.Fatal("keys are not newest first")
		}
		list := func(p glpinet.Page) ([]*glpinet.RegistrationKey, string, error) { return s.ListKeys(ctx, a.ID, p) }
		got := walkPages(t, list, func(k *glpinet.RegistrationKey) string { return idString(k.ID) }, func() { mustKey(t, s, a.ID) })
		checkWalk(t, got, want)
		refusesBadCursors(t, list)
		// An unknown account is still "not found", not an empty page.
		_, _, err = s.ListKeys(ctx, a.ID+10000, glpinet.Page{})
		wantCode(t, err, glpinet.ENOTFOUND)
	})

	t.Run("Users", func(t *testing.T) {
		owner, _, err := s.ListUsers(ctx, a.ID, glpinet.Page{})
		if err != nil || len(owner) != 1 {
			t.Fatalf("users: %v, %v", owner, err)
		}
		want := []string{idString(owner[0].ID)}
		n := 0
		member := func() *glpinet.User {
			n++
			u := newUser(fmt.Sprintf("member%03d@paged.example", n))
			u.AccountID, u.Role = a.ID, glpinet.RoleMember
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		for range pageRows {
			want = append(want, idString(member().ID))
		}
		list := func(p glpinet.Page) ([]*glpinet.User, string, error) { return s.ListUsers(ctx, a.ID, p) }
		got := walkPages(t, list, func(u *glpinet.User) string { return idString(u.ID) }, func() { member() })
		checkWalk(t, got, want)
		refusesBadCursors(t, list)
	})

	t.Run("Instances", func(t *testing.T) {
		_, k1 := mustKey(t, s, a.ID)
		_, k2 := mustKey(t, s, a.ID)
		t0 := c.t
		// Many instances share an instant (one batch of sightings): the
		// key and the UID order them.
		var batch []glpinet.Sighting
		for i := range pageRows {
			k := k1
			if i%3 == 0 {
				k = k2
			}
			batch = append(batch, glpinet.Sighting{KeyID: k.ID, AccountID: a.ID, UID: fmt.Sprintf("uid-%03d", i),
				GLPIVersion: "10.0.16", InstallMode: "TARBALL", At: t0.Add(time.Duration(i%7) * time.Microsecond)})
		}
		if err := s.RecordSightings(ctx, batch); err != nil {
			t.Fatal(err)
		}
		all, err := glpinet.All(func(p glpinet.Page) ([]*glpinet.Instance, string, error) { return s.ListInstances(ctx, a.ID, p) })
		if err != nil || len(all) != pageRows {
			t.Fatalf("instances: %d, %v", len(all), err)
		}
		var want []string
		for i, in := range all {
			want = append(want, fmt.Sprint(in.KeyID, "/", in.UID))
			if i > 0 && in.LastSeen.After(all[i-1].LastSeen) {
				t.Fatalf("instances are not most recently seen first: %v then %v", all[i-1].LastSeen, in.LastSeen)
			}
		}
		list := func(p glpinet.Page) ([]*glpinet.Instance, string, error) { return s.ListInstances(ctx, a.ID, p) }
		n := 0
		got := walkPages(t, list, func(in *glpinet.Instance) string { return fmt.Sprint(in.KeyID, "/", in.UID) }, func() {
			n++
			err := s.RecordSightings(ctx, []glpinet.Sighting{{KeyID: k1.ID, AccountID: a.ID, UID: fmt.Sprintf("new-%d", n),
				GLPIVersion: "11.0.4", InstallMode: "GIT", At: t0.Add(time.Hour)}})
			if err != nil {
				t.Fatal(err)
			}
		})
		checkWalk(t, got, want)
		if len(got) != len(want) {
			t.Fatalf("read %d instances, want %d (those seen during the walk come first)", len(got), len(want))
		}
		refusesBadCursors(t, list)
	})
}
