package dbcopy_test

import (
	"crypto/sha256"
	"os"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/dbcopy"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/postgres"
	"github.com/google/go-cmp/cmp"
)

// microseconds compares times as the target keeps them: PostgreSQL keeps
// microseconds, and pgx truncates (as the postgres store does when it
// writes), it does not round.
var microseconds = cmp.Comparer(func(a, b time.Time) bool {
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
})

// openTarget opens the target as a server would (postgres.Open), closed
// when t ends.
func openTarget(t *testing.T, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestCopy(t *testing.T) {
	src, c := newSource(t)
	sec := populate(t, src, c)
	before := fileSums(t, src.Path())

	// The target was opened once already, as by a replica started early:
	// it holds the default offers, which the source's replace, and an
	// attempt counter, which stays.
	dsn := pgtest.NewDatabase(t)
	early := openTarget(t, dsn)
	if _, err := early.CountAttempt(t.Context(), "login-ip:early", time.Hour, c.t, 1); err != nil {
		t.Fatal(err)
	}
	early.Close()

	var calls int
	res, err := dbcopy.Copy(t.Context(), dbcopy.Options{From: src.Path(), To: dsn, TempDir: t.TempDir(),
		Progress: func(done, total int64) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("Progress was never called")
	}
	// The source is read through a snapshot, never written.
	if after := fileSums(t, src.Path()); !cmp.Equal(before, after) {
		t.Errorf("the source changed during the copy: %v", cmp.Diff(before, after))
	}

	var copied int64
	for _, tb := range res.Tables {
		switch {
		case tb.Name == "changes" || tb.Name == "attempts":
			if tb.Copied || tb.SourceRows == 0 || tb.TargetRows != 0 || tb.Note == "" {
				t.Errorf("%s: %+v, want left out, with its source rows counted and a note", tb.Name, tb)
			}
		case !tb.Copied || tb.SourceRows != tb.TargetRows || tb.SourceRows == 0:
			t.Errorf("%s: %+v, want every table copied and non-empty", tb.Name, tb)
		}
		if tb.Copied {
			copied += tb.TargetRows
		}
	}
	if len(res.Tables) != 21 || res.Rows != copied || res.SchemaVersion == 0 {
		t.Errorf("result: %d tables, %d rows (tables say %d), schema %d", len(res.Tables), res.Rows, copied, res.SchemaVersion)
	}

	// Both read at the source's time: which sessions and tokens are
	// still valid depends on it.
	frozen := func() time.Time { return c.t }
	dst := openTarget(t, dsn)
	// Replicas already running on the target are told that everything
	// changed (an offers change resets their caches).
	if ch, err := dst.ChangesSince(t.Context(), 0, 10); err != nil || len(ch) != 1 || ch[0].Topic != glpinet.TopicOffers {
		t.Fatalf("the target's change feed after the copy: %+v, %v; want one offers change", ch, err)
	}
	src.Now, dst.Now = frozen, frozen
	compareStores(t, src, dst, sec)
	// The source's counters stayed behind; the target's own stayed.
	if n, err := dst.Attempts(t.Context(), "login-email:aa", 15*time.Minute, c.t); err != nil || n != 0 {
		t.Errorf("a source's attempt counter on the target: %d, %v; want 0", n, err)
	}
	if n, err := dst.Attempts(t.Context(), "login-ip:early", time.Hour, c.t); err != nil || n != 1 {
		t.Errorf("the target's own attempt counter after the copy: %d, %v; want 1", n, err)
	}

	// The sequences follow the copied IDs: new rows get fresh ones.
	ctx := glpinet.WithActor(t.Context(), "cli:test")
	n, _ := src.CountAccounts(ctx)
	a := &glpinet.Account{Name: "After the copy"}
	if err := dst.CreateAccount(ctx, a); err != nil || a.ID != int64(n)+1 {
		t.Fatalf("new account after the copy: ID %d, %v; want %d", a.ID, err, n+1)
	}
	keys, _ := glpinet.All(func(p glpinet.Page) ([]*glpinet.RegistrationKey, string, error) { return src.ListKeys(ctx, 1, p) })
	k := &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey("gnk_new"), Prefix: "gnk_new"}
	if err := dst.CreateKey(ctx, k); err != nil || k.ID != int64(len(keys))+2 { // +1: Globex's key
		t.Fatalf("new key after the copy: ID %d, %v; want %d", k.ID, err, len(keys)+2)
	}
	events, _, _ := dst.ListAuditEvents(ctx, glpinet.AuditFilter{Page: glpinet.Page{Limit: 1}})
	srcEvents, _, _ := src.ListAuditEvents(ctx, glpinet.AuditFilter{Page: glpinet.Page{Limit: 1}})
	if events[0].ID <= srcEvents[0].ID {
		t.Fatalf("new audit event %d, want after %d", events[0].ID, srcEvents[0].ID)
	}
	// And the feed works: changes are numbered from 1 on the target.
	if id, err := dst.LastChangeID(ctx); err != nil || id == 0 {
		t.Fatalf("LastChangeID after a mutation = %d, %v", id, err)
	}
}

// compareStores reads everything through glpinet.Store from both stores
// and reports the differences.
func compareStores(t *testing.T, src, dst glpinet.Store, sec *secrets) {
	t.Helper()
	ctx := t.Context()
	same := func(what string, read func(s glpinet.Store) (any, error)) {
		t.Helper()
		want, err := read(src)
		if err != nil {
			t.Fatalf("%s, source: %v", what, err)
		}
		got, err := read(dst)
		if err != nil {
			t.Fatalf("%s, target: %v", what, err)
		}
		if diff := cmp.Diff(want, got, microseconds); diff != "" {
			t.Errorf("%s (-source +target):\n%s", what, diff)
		}
	}
	// Every page of the lists read by page.
	allAccounts := func(s glpinet.Store) ([]*glpinet.Account, error) {
		return glpinet.All(func(p glpinet.Page) ([]*glpinet.Account, string, error) {
			return s.FindAccounts(ctx, glpinet.AccountFilter{Page: p})
		})
	}
	accounts, err := allAccounts(src)
	if err != nil || len(accounts) < 3 {
		t.Fatalf("source accounts: %d, %v", len(accounts), err)
	}
	same("accounts", func(s glpinet.Store) (any, error) { return allAccounts(s) })
	same("offers", func(s glpinet.Store) (any, error) { return s.ListOffers(ctx) })
	same("catalogue", func(s glpinet.Store) (any, error) { return s.ListPlugins(ctx) })
	same("tags", func(s glpinet.Store) (any, error) { return s.ListTags(ctx) })
	same("audit", func(s glpinet.Store) (any, error) {
		return glpinet.All(func(p glpinet.Page) ([]*glpinet.AuditEvent, string, error) {
			return s.ListAuditEvents(ctx, glpinet.AuditFilter{Page: p})
		})
	})
	same("mails", func(s glpinet.Store) (any, error) { return s.ListMails(ctx, glpinet.MailFilter{}) })
	same("yanked version", func(s glpinet.Store) (any, error) { return s.FindVersion(ctx, "reports", "1.0.0") })
	for _, a := range accounts {
		same("subscriptions of "+a.Name, func(s glpinet.Store) (any, error) { return s.ListSubscriptions(ctx, a.ID) })
		same("keys of "+a.Name, func(s glpinet.Store) (any, error) {
			return glpinet.All(func(p glpinet.Page) ([]*glpinet.RegistrationKey, string, error) { return s.ListKeys(ctx, a.ID, p) })
		})
		same("instances of "+a.Name, func(s glpinet.Store) (any, error) {
			return glpinet.All(func(p glpinet.Page) ([]*glpinet.Instance, string, error) { return s.ListInstances(ctx, a.ID, p) })
		})
		same("users of "+a.Name, func(s glpinet.Store) (any, error) {
			return glpinet.All(func(p glpinet.Page) ([]*glpinet.User, string, error) { return s.ListUsers(ctx, a.ID, p) })
		})
		same("invitations of "+a.Name, func(s glpinet.Store) (any, error) { return s.ListInvitations(ctx, a.ID) })
	}
	for _, h := range sec.keys {
		same("key record", func(s glpinet.Store) (any, error) { return s.FindKeyRecord(ctx, h) })
	}
	for _, e := range sec.emails {
		same("user "+e, func(s glpinet.Store) (any, error) { return s.FindUserByEmail(ctx, e) })
		u, err := src.FindUserByEmail(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		same("tokens of "+e, func(s glpinet.Store) (any, error) { return s.ListTokens(ctx, u.ID) })
	}
	for _, h := range sec.sessions {
		same("session", func(s glpinet.Store) (any, error) {
			sess, u, err := s.FindSession(ctx, h)
			return []any{sess, u}, err
		})
	}
	for _, h := range sec.invitations {
		same("invitation", func(s glpinet.Store) (any, error) { return s.FindInvitation(ctx, h) })
	}
	// FindToken only finds usable tokens: the first one (the revoked one is
	// compared through ListTokens above).
	same("token", func(s glpinet.Store) (any, error) {
		tok, u, err := s.FindToken(ctx, sec.tokens[0])
		return []any{tok, u}, err
	})
}

// fileSums returns the SHA-256 of the database file and its WAL.
func fileSums(t *testing.T, path string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sums[p] = sha256.Sum256(b)
	}
	return sums
}
