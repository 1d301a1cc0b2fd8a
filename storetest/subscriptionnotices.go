package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

const offersURL = "https://portal.example/offers"

// noticeFixture is a store whose clock follows the scans' now, and the
// mails claimed so far.
type noticeFixture struct {
	t   *testing.T
	c   *clock
	s   glpinet.Store
	day time.Duration
}

func newNoticeFixture(t *testing.T, open Opener) *noticeFixture {
	c := newClock()
	return &noticeFixture{t: t, c: c, s: open(t, c.Now), day: 24 * time.Hour}
}

// account signs up an account with an English owner, and adds a French
// admin, a member and a disabled admin (neither of whom is told).
func (f *noticeFixture) account(name string) *glpinet.Account {
	f.t.Helper()
	ctx := ctxFor(f.t)
	a := &glpinet.Account{Name: name}
	tag := strings.ToLower(name)
	owner := newUser("owner@" + tag + ".example")
	if err := f.s.SignUp(ctx, a, owner); err != nil {
		f.t.Fatal(err)
	}
	var disabled *glpinet.User
	for _, u := range []struct {
		email string
		role  glpinet.UserRole
		lang  string
	}{{"admin@", glpinet.RoleAdmin, "fr"}, {"member@", glpinet.RoleMember, "en"}, {"gone@", glpinet.RoleAdmin, "en"}} {
		nu := newUser(u.email + tag + ".example")
		nu.AccountID, nu.Role, nu.Lang = a.ID, u.role, u.lang
		if err := f.s.CreateUser(ctx, nu); err != nil {
			f.t.Fatal(err)
		}
		disabled = nu
	}
	if _, _, err := f.s.SetUserDisabled(ctx, disabled.ID, true); err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *noticeFixture) subscribe(a *glpinet.Account, offer string, begin, end time.Time) *glpinet.Subscription {
	f.t.Helper()
	sub := &glpinet.Subscription{AccountID: a.ID, OfferRef: offer, Begin: begin, End: &end}
	if err := f.s.CreateSubscription(ctxFor(f.t), sub); err != nil {
		f.t.Fatal(err)
	}
	return sub
}

// scan runs the scan at now and returns how many notices it sent and the
// mails it enqueued, one line each, sorted.
func (f *noticeFixture) scan(now time.Time) (int, []string) {
	f.t.Helper()
	f.c.t = now
	n, err := f.s.SendSubscriptionNotices(ctxFor(f.t), now, offersURL)
	if err != nil {
		f.t.Fatalf("SendSubscriptionNotices at %s: %v", now, err)
	}
	return n, f.claim()
}

// claim returns the mails enqueued since the last claim, one line each.
func (f *noticeFixture) claim() []string {
	f.t.Helper()
	ms, err := f.s.ClaimMails(ctxFor(f.t), f.c.t, 10*365*f.day, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		line := fmt.Sprintf("%s %s %s %s/%s %s %s", m.Kind, m.To, m.Lang, m.Data["account"], m.Data["offer"], m.Data["last_day"], m.Data["days"])
		if m.Data["name"] == "" || m.Data["link"] != offersURL+"#offer-advanced" && m.Data["link"] != offersURL+"#offer-standard" {
			line += fmt.Sprintf(" BAD name=%q link=%q", m.Data["name"], m.Data["link"])
		}
		out = append(out, strings.TrimSpace(line))
	}
	slices.Sort(out)
	return out
}

func (f *noticeFixture) want(now time.Time, wantN int, want ...string) {
	f.t.Helper()
	n, got := f.scan(now)
	if n != wantN || !slices.Equal(got, want) {
		f.t.Fatalf("scan at %s: %d notices, mails:\n%s\nwant %d:\n%s", now.Format(time.DateTime), n, strings.Join(got, "\n"), wantN, strings.Join(want, "\n"))
	}
}

// testSubscriptionNotices: a paid subscription's end gives the 30-day,
// 7-day, 1-day and "ended" notices, each once, to the account's enabled
// owners and admins in their language; a subscription first seen late
// gets only the most urgent notice; one long ended, continued by a
// renewal or of a suspended account gets none; an end moved makes the
// notices due again.
func testSubscriptionNotices(t *testing.T, open Opener) {
	f := newNoticeFixture(t, open)
	d := f.day
	t0 := f.c.t
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	acme := f.account("ACME")
	f.subscribe(acme, "advanced", t0.Add(-300*d), end)
	// Long ended when glpinetd first scans: never told.
	old := f.account("Old")
	f.subscribe(old, "standard", t0.Add(-400*d), t0.Add(-31*d))

	f.want(end.Add(-31*d), 0)
	ending := func(days string) []string {
		return []string{
			"subscription-ending admin@acme.example fr ACME/Avancé 2026-05-31 " + days,
			"subscription-ending owner@acme.example en ACME/Advanced 2026-05-31 " + days,
		}
	}
	f.want(end.Add(-30*d+time.Hour), 1, ending("30")...)
	f.want(end.Add(-30*d+2*time.Hour), 0)
	f.want(end.Add(-8*d), 0)
	f.want(end.Add(-7*d), 1, ending("7")...)
	f.want(end.Add(-2*d), 0)
	f.want(end.Add(-23*time.Hour), 1, ending("1")...)
	f.want(end.Add(-time.Hour), 0)
	f.want(end, 1,
		"subscription-ended admin@acme.example fr ACME/Avancé 2026-05-31",
		"subscription-ended owner@acme.example en ACME/Advanced 2026-05-31")
	f.want(end.Add(time.Hour), 0)
	f.want(end.Add(40*d), 0)

	// First seen 5 days before its end: the 7-day notice only, then the
	// 1-day one; the 30-day one never comes.
	late := f.account("Late")
	t1 := end.Add(41 * d)
	lateEnd := t1.Add(5 * d)
	f.subscribe(late, "standard", t1.Add(-100*d), lateEnd)
	f.want(t1, 1,
		"subscription-ending admin@late.example fr Late/Standard 2026-07-16 5",
		"subscription-ending owner@late.example en Late/Standard 2026-07-16 5")
	f.want(t1.Add(time.Hour), 0)
	f.want(lateEnd.Add(-12*time.Hour), 1,
		"subscription-ending admin@late.example fr Late/Standard 2026-07-16 1",
		"subscription-ending owner@late.example en Late/Standard 2026-07-16 1")
	f.want(lateEnd, 1,
		"subscription-ended admin@late.example fr Late/Standard 2026-07-16",
		"subscription-ended owner@late.example en Late/Standard 2026-07-16")

	// Renewed before its end (the same offer from 10 days before, for a
	// year): the first subscription's end is no news, the renewal's is a
	// year away. A higher offer covering the end continues it too.
	renewed := f.account("Renewed")
	t2 := lateEnd.Add(d)
	rEnd := t2.Add(20 * d)
	f.subscribe(renewed, "standard", t2.Add(-300*d), rEnd)
	f.subscribe(renewed, "standard", rEnd.Add(-10*d), rEnd.Add(355*d))
	upgraded := f.account("Upgraded")
	f.subscribe(upgraded, "standard", t2.Add(-300*d), rEnd)
	f.subscribe(upgraded, "advanced", t2, rEnd.Add(200*d))
	f.want(t2, 0)
	f.want(rEnd.Add(-7*d), 0)
	f.want(rEnd.Add(time.Hour), 0)

	// Extended after its 7-day notice: the notices are due again for the
	// new end, and the old end's "ended" never comes.
	extended := f.account("Extended")
	t3 := rEnd.Add(2 * d)
	xEnd := t3.Add(6 * d)
	sub := f.subscribe(extended, "standard", t3.Add(-300*d), xEnd)
	f.want(t3, 1,
		"subscription-ending admin@extended.example fr Extended/Standard 2026-08-14 6",
		"subscription-ending owner@extended.example en Extended/Standard 2026-08-14 6")
	newEnd := xEnd.Add(60 * d)
	if _, err := f.s.UpdateSubscription(ctxFor(t), sub.ID, &newEnd, glpinet.SubscriptionActive); err != nil {
		t.Fatal(err)
	}
	f.want(xEnd.Add(time.Hour), 0)
	f.want(newEnd.Add(-30*d), 1,
		"subscription-ending admin@extended.example fr Extended/Standard 2026-10-13 30",
		"subscription-ending owner@extended.example en Extended/Standard 2026-10-13 30")
	f.want(newEnd.Add(-7*d), 1,
		"subscription-ending admin@extended.example fr Extended/Standard 2026-10-13 7",
		"subscription-ending owner@extended.example en Extended/Standard 2026-10-13 7")

	f.want(newEnd, 1,
		"subscription-ended admin@extended.example fr Extended/Standard 2026-10-13",
		"subscription-ended owner@extended.example en Extended/Standard 2026-10-13")

	// A suspended account is not told; reactivated in time, it is.
	// A suspended subscription (stopped by an operator) is not either.
	susp := f.account("Suspended")
	t4 := newEnd.Add(d)
	sEnd := t4.Add(3 * d)
	f.subscribe(susp, "standard", t4.Add(-300*d), sEnd)
	stopped := f.subscribe(f.account("Stopped"), "standard", t4.Add(-300*d), sEnd)
	if _, err := f.s.UpdateSubscription(ctxFor(t), stopped.ID, &sEnd, glpinet.SubscriptionSuspended); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetAccountState(ctxFor(t), susp.ID, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	f.want(t4, 0)
	if err := f.s.SetAccountState(ctxFor(t), susp.ID, glpinet.AccountActive); err != nil {
		t.Fatal(err)
	}
	f.want(t4.Add(time.Hour), 1,
		"subscription-ending admin@suspended.example fr Suspended/Standard 2026-10-17 3",
		"subscription-ending owner@suspended.example en Suspended/Standard 2026-10-17 3")

	// No public URL: no link.
	t5 := sEnd.Add(time.Hour)
	f.c.t = t5
	if n, err := f.s.SendSubscriptionNotices(ctxFor(t), t5, ""); err != nil || n != 1 {
		t.Fatalf("SendSubscriptionNotices without link = %d, %v", n, err)
	}
	ms, err := f.s.ClaimMails(ctxFor(t), t5, d, 100)
	if err != nil || len(ms) != 2 {
		t.Fatalf("ClaimMails = %d mails, %v", len(ms), err)
	}
	for _, m := range ms {
		if m.Kind != glpinet.MailKindSubscriptionEnded || m.Data["link"] != "" {
			t.Errorf("mail %s %v, want %s without a link", m.Kind, m.Data, glpinet.MailKindSubscriptionEnded)
		}
	}

	// Each notice is in the audit log.
	events, _, err := f.s.ListAuditEvents(ctxFor(t), glpinet.AuditFilter{Subject: glpinet.AccountSubject(acme.ID), Action: "subscription.notice"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 4 || !strings.HasSuffix(events[0].Details, " advanced ended until 2026-05-31") {
		var details []string
		for _, e := range events {
			details = append(details, e.Details)
		}
		t.Errorf("ACME's notice events: %q, want 4, the last one ended", details)
	}
}

// testSubscriptionNoticeRace: scans running at once (replicas) send each
// notice once: one mail per recipient and notice, whoever scans.
func testSubscriptionNoticeRace(t *testing.T, open Opener) {
	f := newNoticeFixture(t, open)
	d := f.day
	now := f.c.t
	const accounts, scans = 12, 6
	for i := range accounts {
		a := f.account(fmt.Sprintf("Race%02d", i))
		f.subscribe(a, "standard", now.Add(-300*d), now.Add(time.Duration(i+1)*d))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	start := make(chan struct{})
	for range scans {
		wg.Go(func() {
			<-start
			n, err := f.s.SendSubscriptionNotices(ctxFor(t), now, offersURL)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if total != accounts {
		t.Errorf("%d notices sent by %d scans at once, want %d", total, scans, accounts)
	}
	got := f.claim()
	if len(got) != 2*accounts {
		t.Fatalf("%d mails, want %d:\n%s", len(got), 2*accounts, strings.Join(got, "\n"))
	}
	if len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("a mail was enqueued twice:\n%s", strings.Join(got, "\n"))
	}
}
