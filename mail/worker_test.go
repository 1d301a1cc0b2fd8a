package mail_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/internal/smtptest"
	"github.com/glpinet/glpinet/mail"
	"github.com/glpinet/glpinet/postgres"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// clock is the tests' settable clock, shared by the store and the worker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func openSQLite(t *testing.T, clk *clock) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "glpinet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = clk.Now
	return db
}

func enqueue(t *testing.T, s glpinet.MailStore, n int) {
	t.Helper()
	for i := range n {
		m := &glpinet.Mail{To: fmt.Sprintf("user%d@example.org", i), Lang: "en", Kind: glpinet.MailKindTest, Data: map[string]string{"server": "https://x"}}
		if err := s.EnqueueMail(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
}

func runOnce(t *testing.T, w *mail.Worker) int {
	t.Helper()
	n, err := w.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServerDownThenUp: mails enqueued while the SMTP server is down wait,
// are retried with backoff on the worker's clock, and are all delivered
// once it is back; none is lost, none sent twice.
func TestServerDownThenUp(t *testing.T) {
	clk := newClock()
	db := openSQLite(t, clk)
	srv := smtptest.Start(t, smtptest.Options{User: "u", Password: "p"})
	reg := prometheus.NewRegistry()
	w := &mail.Worker{Store: db, Sender: sender(t, srv), From: from, Now: clk.Now, Metrics: mail.NewMetrics(reg)}
	srv.Stop()
	enqueue(t, db, 3)

	if n := runOnce(t, w); n != 0 {
		t.Fatalf("sent %d with the server down", n)
	}
	if s := w.Status(); len(s) < 9 || s[:9] != "failing: " {
		t.Errorf("status %q", s)
	}
	pending, _ := db.ListMails(t.Context(), glpinet.MailFilter{State: glpinet.MailPending})
	if len(pending) != 3 {
		t.Fatalf("%d pending, want 3", len(pending))
	}
	for _, m := range pending {
		if m.Attempts != 1 || m.LastError == "" || !m.NextAt.Equal(clk.Now().Add(mail.FirstRetry)) {
			t.Errorf("after one failure: %+v", m)
		}
	}
	// Not due before the backoff: nothing is tried.
	clk.Add(mail.FirstRetry - time.Second)
	if n := runOnce(t, w); n != 0 || counter(w.Metrics.Failed) != 3 {
		t.Fatalf("sent %d, failed %v before the retry", n, counter(w.Metrics.Failed))
	}
	// Second failure: the wait doubles.
	clk.Add(time.Second)
	runOnce(t, w)
	pending, _ = db.ListMails(t.Context(), glpinet.MailFilter{State: glpinet.MailPending})
	for _, m := range pending {
		if m.Attempts != 2 || !m.NextAt.Equal(clk.Now().Add(2*mail.FirstRetry)) {
			t.Errorf("after two failures: attempts %d, next %v", m.Attempts, m.NextAt)
		}
	}

	srv.Restart(t)
	clk.Add(2 * mail.FirstRetry)
	if n := runOnce(t, w); n != 3 {
		t.Fatalf("sent %d once the server is back, want 3", n)
	}
	if w.Status() != "ok" {
		t.Errorf("status %q", w.Status())
	}
	clk.Add(time.Hour)
	if n := runOnce(t, w); n != 0 {
		t.Fatalf("sent %d more", n)
	}
	got := srv.Messages()
	seen := map[string]int{}
	for _, m := range got {
		seen[m.To[0]]++
	}
	if len(got) != 3 || len(seen) != 3 {
		t.Fatalf("received %d messages for %v", len(got), seen)
	}
	if counter(w.Metrics.Sent) != 3 {
		t.Errorf("sent_total %v", counter(w.Metrics.Sent))
	}
}

// TestGiveUp: a mail failing for GiveUpAfter is failed, listed with its
// last error; a recipient the server does not know is failed at once.
func TestGiveUp(t *testing.T) {
	clk := newClock()
	db := openSQLite(t, clk)
	srv := smtptest.Start(t, smtptest.Options{RejectRcpt: "nobody@example.org"})
	w := &mail.Worker{Store: db, Sender: sender(t, srv), From: from, Now: clk.Now}
	if err := db.EnqueueMail(t.Context(), &glpinet.Mail{To: "nobody@example.org", Kind: glpinet.MailKindTest}); err != nil {
		t.Fatal(err)
	}
	if err := db.EnqueueMail(t.Context(), &glpinet.Mail{To: "x@example.org", Kind: "no-such-template"}); err != nil {
		t.Fatal(err)
	}
	runOnce(t, w)
	failed, _ := db.ListMails(t.Context(), glpinet.MailFilter{State: glpinet.MailFailed})
	if len(failed) != 2 || failed[0].Attempts != 1 || failed[1].Attempts != 1 {
		t.Fatalf("failed at once: %+v", failed)
	}

	srv.Stop()
	enqueue(t, db, 1)
	attempts := 0
	for range 100 {
		attempts += 1 - runOnce(t, w)
		ms, _ := db.ListMails(t.Context(), glpinet.MailFilter{State: glpinet.MailPending})
		if len(ms) == 0 {
			break
		}
		clk.t = ms[0].NextAt
	}
	failed, _ = db.ListMails(t.Context(), glpinet.MailFilter{State: glpinet.MailFailed})
	if len(failed) != 3 || failed[0].LastError == "" {
		t.Fatalf("given up: %+v", failed)
	}
	m := failed[0]
	if age := m.DoneAt.Sub(m.CreatedAt); age > mail.GiveUpAfter || age < mail.GiveUpAfter-mail.MaxRetry {
		t.Errorf("given up after %v", age)
	}
	t.Logf("given up after %d attempts over %v", m.Attempts, m.DoneAt.Sub(m.CreatedAt))
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 9: 256 * time.Minute, 10: 6 * time.Hour, 1000: 6 * time.Hour} {
		if got := mail.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// TestTwoReplicas: two workers, each with its own connection pool to one
// PostgreSQL database, as two replicas, send 50 mails: each once.
func TestTwoReplicas(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	open := func() *postgres.DB {
		db, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	srv := smtptest.Start(t, smtptest.Options{User: "u", Password: "p"})
	const mails = 50
	enqueue(t, a, mails)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	sent := make([]int, 2)
	for i, db := range []*postgres.DB{a, b} {
		w := &mail.Worker{Store: db, Sender: sender(t, srv), From: from}
		wg.Go(func() {
			n, err := w.RunOnce(ctx)
			if err != nil {
				t.Error(err)
			}
			sent[i] = n
		})
	}
	wg.Wait()
	got, err := srv.Wait(ctx, mails)
	if err != nil {
		t.Fatalf("received %d of %d: %v", len(got), mails, err)
	}
	seen := map[string]int{}
	for _, m := range got {
		seen[m.To[0]]++
	}
	for to, n := range seen {
		if n != 1 {
			t.Errorf("%s received %d", to, n)
		}
	}
	if len(got) != mails || len(seen) != mails || sent[0]+sent[1] != mails {
		t.Errorf("received %d messages for %d recipients; workers sent %v", len(got), len(seen), sent)
	}
	counts, _ := a.CountMails(t.Context())
	if counts[glpinet.MailSent] != mails {
		t.Errorf("counts %v", counts)
	}
	t.Logf("50 mails in %v, split %v between the replicas", time.Since(start), sent)
}

// TestWorkerRun: Run checks the server, sends what is enqueued when woken
// and keeps the outbox gauge.
func TestWorkerRun(t *testing.T) {
	db := openSQLite(t, &clock{t: time.Now()})
	db.Now = time.Now
	srv := smtptest.Start(t, smtptest.Options{})
	reg := prometheus.NewRegistry()
	w := &mail.Worker{Store: db, Sender: sender(t, srv), From: from, Metrics: mail.NewMetrics(reg)}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	enqueue(t, db, 2)
	w.Wake()
	wctx, wcancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer wcancel()
	if _, err := srv.Wait(wctx, 2); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if w.Status() != "ok" {
		t.Errorf("status %q", w.Status())
	}
	if (&mail.Worker{Store: db}).Status() != "not configured" {
		t.Error("a worker without a sender is not configured")
	}
}

func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
