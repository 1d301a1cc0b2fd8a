package mail_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glpinet/glpinet/mail"
	"github.com/prometheus/client_golang/prometheus"
)

// scans is a glpinet.SubscriptionNoticeStore that records its calls; every
// other one fails after sending one notice.
type scans struct {
	mu    sync.Mutex
	calls []time.Time
	urls  []string
}

func (s *scans) SendSubscriptionNotices(ctx context.Context, now time.Time, offersURL string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls, s.urls = append(s.calls, now), append(s.urls, offersURL)
	if len(s.calls)%2 == 0 {
		return 1, errors.New("database down")
	}
	return 2, nil
}

// TestNoticesRun: a scan at start, then one every interval; a failed scan
// is counted and the next one runs; the run ends with its context.
func TestNoticesRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &scans{}
		var woken atomic.Int32
		reg := prometheus.NewRegistry()
		n := &mail.Notices{Store: store, OffersURL: "https://x/offers", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Metrics: mail.NewNoticeMetrics(reg), Wake: func() { woken.Add(1) }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		start := time.Now()
		go func() { n.Run(ctx); close(done) }()
		synctest.Wait()
		if calls, urls := store.seen(); len(calls) != 1 || !calls[0].Equal(start) || urls[0] != "https://x/offers" {
			t.Fatalf("at start: calls %v %v", calls, urls)
		}
		time.Sleep(3*mail.NoticeInterval + time.Second)
		synctest.Wait()
		if calls, _ := store.seen(); len(calls) != 4 || !calls[3].Equal(start.Add(3*mail.NoticeInterval)) {
			t.Fatalf("after 3 intervals: calls %v", calls)
		}
		if sent, failed := value(t, reg, "glpinet_subscription_notices_total"), value(t, reg, "glpinet_subscription_notice_errors_total"); sent != 6 || failed != 2 {
			t.Errorf("metrics: %v sent, %v errors; want 6 and 2", sent, failed)
		}
		if w := woken.Load(); w != 4 {
			t.Errorf("worker woken %d times, want 4", w)
		}
		cancel()
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("Run did not end with its context")
		}
	})
}

func (s *scans) seen() ([]time.Time, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, s.urls
}

// value reads counter name from reg.
func value(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
