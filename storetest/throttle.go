package storetest

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/google/go-cmp/cmp"
)

func testAttempts(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	const window = 15 * time.Minute
	// The store's clock plays no part: callers pass now.
	t0 := time.Date(2026, 3, 1, 12, 3, 0, 0, time.UTC) // window [12:00, 12:15)
	key := "login-email:" + strings.Repeat("ab", 32)

	count := func(key string, now time.Time, n int) int {
		t.Helper()
		got, err := s.CountAttempt(ctx, key, window, now, n)
		if err != nil {
			t.Fatalf("CountAttempt(%q, %s, %d): %v", key, now, n, err)
		}
		return got
	}
	attempts := func(key string, now time.Time) int {
		t.Helper()
		got, err := s.Attempts(ctx, key, window, now)
		if err != nil {
			t.Fatalf("Attempts(%q, %s): %v", key, now, err)
		}
		return got
	}
	lastChange, _ := s.LastChangeID(ctx)
	events, _, _ := s.ListAuditEvents(ctx, glpinet.AuditFilter{})

	// Counting, within one window.
	if got := attempts(key, t0); got != 0 {
		t.Fatalf("Attempts before any = %d, want 0", got)
	}
	for i, tc := range []struct {
		at   time.Time
		n    int
		want int
	}{
		{t0, 1, 1},
		{t0.Add(time.Minute), 1, 2},
		{t0.Add(11*time.Minute + 59*time.Second), 3, 5}, // 12:14:59, still the same window
	} {
		if got := count(key, tc.at, tc.n); got != tc.want {
			t.Fatalf("count %d: CountAttempt = %d, want %d", i, got, tc.want)
		}
	}
	if got := attempts(key, t0.Add(5*time.Minute)); got != 5 {
		t.Fatalf("Attempts = %d, want 5", got)
	}
	other := "signup-ip:" + strings.Repeat("cd", 32)
	if got := count(other, t0, 1); got != 1 {
		t.Fatalf("another key's first CountAttempt = %d, want 1", got)
	}

	// Rollover: the next window starts again from zero.
	t1 := time.Date(2026, 3, 1, 12, 15, 0, 0, time.UTC)
	if got := attempts(key, t1); got != 0 {
		t.Fatalf("Attempts in the next window before any = %d, want 0", got)
	}
	if got := count(key, t1, 1); got != 1 {
		t.Fatalf("CountAttempt in the next window = %d, want 1", got)
	}
	// A replica whose clock is behind adds to the later window rather than
	// resetting it.
	if got := count(key, t1.Add(-time.Second), 1); got != 2 {
		t.Fatalf("CountAttempt from a clock a second behind = %d, want 2 (added to the later window)", got)
	}
	if got := attempts(key, t1.Add(-time.Second)); got != 2 {
		t.Fatalf("Attempts from a clock a second behind = %d, want 2", got)
	}
	if got := attempts(key, t1.Add(window)); got != 0 {
		t.Fatalf("Attempts a window later = %d, want 0", got)
	}

	// Forgetting.
	if err := s.ForgetAttempts(ctx, key); err != nil {
		t.Fatal(err)
	}
	if got := attempts(key, t1); got != 0 {
		t.Fatalf("Attempts after ForgetAttempts = %d, want 0", got)
	}
	if err := s.ForgetAttempts(ctx, "never-counted"); err != nil {
		t.Fatalf("ForgetAttempts of an unknown key: %v", err)
	}
	if got := count(key, t1, 1); got != 1 {
		t.Fatalf("CountAttempt after ForgetAttempts = %d, want 1", got)
	}

	// Pruning: other's window [12:00, 12:15) has ended at 12:15; key's
	// [12:15, 12:30) has not.
	if n, err := s.PruneAttempts(ctx, t1.Add(-time.Nanosecond)); err != nil || n != 0 {
		t.Fatalf("PruneAttempts before any window ended = %d, %v; want 0", n, err)
	}
	if n, err := s.PruneAttempts(ctx, t1); err != nil || n != 1 {
		t.Fatalf("PruneAttempts = %d, %v; want 1", n, err)
	}
	if got := attempts(other, t0); got != 0 {
		t.Fatalf("a pruned counter = %d, want 0", got)
	}
	if got := attempts(key, t1); got != 1 {
		t.Fatalf("a counter of the current window after pruning = %d, want 1", got)
	}
	if n, err := s.PruneAttempts(ctx, t1.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("PruneAttempts an hour later = %d, %v; want 1", n, err)
	}

	// Bad input.
	long := strings.Repeat("k", glpinet.MaxAttemptKeyLen+1)
	_, err := s.CountAttempt(ctx, long, window, t0, 1)
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.Attempts(ctx, long, window, t0)
	wantCode(t, err, glpinet.EINVALID)
	wantCode(t, s.ForgetAttempts(ctx, long), glpinet.EINVALID)
	_, err = s.CountAttempt(ctx, "", window, t0, 1)
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.CountAttempt(ctx, "bad\x00key", window, t0, 1)
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.CountAttempt(ctx, key, 0, t0, 1)
	wantCode(t, err, glpinet.EINVALID)
	_, err = s.CountAttempt(ctx, key, window, t0, 0)
	wantCode(t, err, glpinet.EINVALID)
	if got := count(long[1:], t0, 1); got != 1 {
		t.Fatalf("CountAttempt with a key of exactly %d bytes = %d, want 1", glpinet.MaxAttemptKeyLen, got)
	}

	// Counters are not business data: no change, no audit event.
	if id, _ := s.LastChangeID(ctx); id != lastChange {
		t.Errorf("counting wrote changes: last change %d → %d", lastChange, id)
	}
	if after, _, _ := s.ListAuditEvents(ctx, glpinet.AuditFilter{}); len(after) != len(events) {
		t.Errorf("counting wrote audit events: %d → %d", len(events), len(after))
	}
}

// testAttemptRace counts on one key from many goroutines at once: each
// gets its own value, as replicas sharing a lockout would.
func testAttemptRace(t *testing.T, open Opener) {
	s := open(t, newClock().Now)
	ctx := ctxFor(t)
	const n = 50
	now := time.Date(2026, 3, 1, 12, 3, 0, 0, time.UTC)
	got := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], errs[i] = s.CountAttempt(ctx, "login-email:race", time.Hour, now, 1)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("concurrent CountAttempt values (-want +got):\n%s", diff)
	}
	if total, err := s.Attempts(ctx, "login-email:race", time.Hour, now); err != nil || total != n {
		t.Fatalf("Attempts after the race = %d, %v; want %d", total, err, n)
	}
}
