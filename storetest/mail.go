package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testMail: the outbox's life cycle: enqueue, claim for a lease, retry,
// send, give up, list, count, prune.
func testMail(t *testing.T, open Opener) {
	clk := newClock()
	s := open(t, clk.Now)
	ctx := ctxFor(t)

	bad := []*glpinet.Mail{
		{To: "not an address", Kind: "test"},
		{To: "Jane <jane@example.com>", Kind: "test"},
		{To: "jane@example.com", Kind: "Bad Kind"},
		{To: "jane@example.com", Kind: "test", Data: map[string]string{"x": string(make([]byte, glpinet.MaxMailData))}},
	}
	for _, m := range bad {
		wantCode(t, s.EnqueueMail(ctx, m), glpinet.EINVALID)
	}

	var ids []int64
	for i := range 3 {
		m := &glpinet.Mail{To: fmt.Sprintf("user%d@example.com", i), Lang: "fr", Kind: "test", Data: map[string]string{"link": fmt.Sprintf("https://x/%d", i)}}
		if err := s.EnqueueMail(ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.ID == 0 || m.State != glpinet.MailPending || !m.NextAt.Equal(clk.t) {
			t.Fatalf("enqueued %+v", m)
		}
		ids = append(ids, m.ID)
		clk.t = clk.t.Add(time.Second)
	}
	now := clk.t
	const lease = 5 * time.Minute
	got, err := s.ClaimMails(ctx, now, lease, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
		t.Fatalf("first claim: %v, want the two oldest of %v", mailIDs(got), ids)
	}
	first := got[0]
	if first.Claim == "" || first.Attempts != 1 || first.Data["link"] != "https://x/0" || first.Lang != "fr" || first.To != "user0@example.com" {
		t.Fatalf("claimed mail %+v (data %v)", first, first.Data)
	}
	if got, _ := s.ClaimMails(ctx, now, lease, 10); len(got) != 1 || got[0].ID != ids[2] {
		t.Fatalf("second claim: %v, want only %d: claimed mails are not claimed again during their lease", mailIDs(got), ids[2])
	}
	if got, _ := s.ClaimMails(ctx, now.Add(lease-time.Second), lease, 10); len(got) != 0 {
		t.Fatalf("claim within the leases: %v", mailIDs(got))
	}

	// The lease of the first claim ends: another worker takes its mails,
	// and the first may no longer finish them.
	later := now.Add(lease)
	again, err := s.ClaimMails(ctx, later, lease, 10)
	if err != nil || len(again) != 3 {
		t.Fatalf("claim after the leases: %v, %v; want all three", mailIDs(again), err)
	}
	wantCode(t, s.FinishMail(ctx, first.ID, first.Claim, later, glpinet.MailOutcome{Sent: true}), glpinet.ECONFLICT)
	if again[0].Attempts != 2 {
		t.Errorf("attempts = %d after two claims, want 2", again[0].Attempts)
	}

	// Outcomes: sent, retried, given up.
	wantCode(t, s.FinishMail(ctx, again[0].ID, again[0].Claim, later, glpinet.MailOutcome{Sent: true, Error: "x"}), glpinet.EINVALID)
	if err := s.FinishMail(ctx, again[0].ID, again[0].Claim, later, glpinet.MailOutcome{Sent: true}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.FinishMail(ctx, again[0].ID, again[0].Claim, later, glpinet.MailOutcome{Sent: true}), glpinet.ECONFLICT)
	retry := later.Add(time.Minute)
	if err := s.FinishMail(ctx, again[1].ID, again[1].Claim, later, glpinet.MailOutcome{Error: "421 try later", RetryAt: retry}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishMail(ctx, again[2].ID, again[2].Claim, later, glpinet.MailOutcome{Error: "550 no such user"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimMails(ctx, retry.Add(-time.Second), lease, 10); len(got) != 0 {
		t.Fatalf("claim before the retry: %v", mailIDs(got))
	}
	got, err = s.ClaimMails(ctx, retry, lease, 10)
	if err != nil || len(got) != 1 || got[0].ID != again[1].ID || got[0].Attempts != 3 || got[0].LastError != "421 try later" || got[0].Data["link"] != "https://x/1" {
		t.Fatalf("claim at the retry: %+v, %v", got, err)
	}

	counts, err := s.CountMails(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[glpinet.MailState]int{glpinet.MailPending: 1, glpinet.MailSent: 1, glpinet.MailFailed: 1}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("counts = %v, want %v", counts, want)
	}
	failed, err := s.ListMails(ctx, glpinet.MailFilter{State: glpinet.MailFailed})
	if err != nil || len(failed) != 1 {
		t.Fatalf("failed mails: %v, %v", failed, err)
	}
	if f := failed[0]; f.ID != ids[2] || f.LastError != "550 no such user" || f.DoneAt == nil || !f.DoneAt.Equal(later) || f.Data != nil {
		t.Errorf("failed mail %+v", f)
	}
	all, _ := s.ListMails(ctx, glpinet.MailFilter{})
	if len(all) != 3 || all[0].ID != ids[2] {
		t.Errorf("every mail, newest first: %v", mailIDs(all))
	}

	// Pruning: sent mails before their cut, failed ones before theirs.
	if n, err := s.PruneMails(ctx, later, later); err != nil || n != 0 {
		t.Errorf("prune at the instant they finished: %d, %v; want 0", n, err)
	}
	if n, err := s.PruneMails(ctx, later.Add(time.Second), later); err != nil || n != 1 {
		t.Errorf("prune the sent: %d, %v; want 1", n, err)
	}
	if n, err := s.PruneMails(ctx, later.Add(time.Second), later.Add(time.Second)); err != nil || n != 1 {
		t.Errorf("prune the failed: %d, %v; want 1", n, err)
	}
	if all, _ := s.ListMails(ctx, glpinet.MailFilter{}); len(all) != 1 {
		t.Errorf("after pruning: %v, want the pending one", mailIDs(all))
	}
}

// testMailClaimRace: workers claiming at once never get the same mail.
func testMailClaimRace(t *testing.T, open Opener) {
	clk := newClock()
	s := open(t, clk.Now)
	ctx := ctxFor(t)
	const mails, workers = 40, 4
	for i := range mails {
		if err := s.EnqueueMail(ctx, &glpinet.Mail{To: fmt.Sprintf("u%d@example.com", i), Kind: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				got, err := s.ClaimMails(ctx, clk.t, time.Minute, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != mails {
		t.Errorf("%d mails claimed, want %d", len(seen), mails)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("mail %d claimed %d times", id, n)
		}
	}
}

func mailIDs(ms []*glpinet.Mail) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}
