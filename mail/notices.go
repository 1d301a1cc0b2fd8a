package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/prometheus/client_golang/prometheus"
)

// NoticeInterval is how often the subscription notices are looked for: a
// notice is due from a day (1d) to a month (30d) before an end, so an hour
// late is never late, and the scan is a few cheap reads.
const NoticeInterval = time.Hour

// Notices sends the subscription notices (glpinet.SubscriptionNoticeStore)
// at start and then every Interval: the mails they enqueue are the
// worker's to send. Every replica may run one: the store sends each
// notice once.
type Notices struct {
	Store glpinet.SubscriptionNoticeStore
	// OffersURL is the absolute URL of the portal's offers page, which
	// the mails link to ("": no link).
	OffersURL string
	// Interval is the time between scans (0: NoticeInterval).
	Interval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
	// Wake, when set, is called after a scan that enqueued mails (the
	// worker's Wake), so that they leave at once.
	Wake func()
	// Metrics, when set, count the notices and the failed scans.
	Metrics *NoticeMetrics
}

// NoticeMetrics are the subscription notices' metrics.
type NoticeMetrics struct {
	// Sent is glpinet_subscription_notices_total: notices sent (each
	// mails the account's owners and admins).
	Sent prometheus.Counter
	// Errors is glpinet_subscription_notice_errors_total: scans that
	// failed, wholly or for some subscription (retried at the next).
	Errors prometheus.Counter
}

// NewNoticeMetrics registers the notices' metrics on reg.
func NewNoticeMetrics(reg prometheus.Registerer) *NoticeMetrics {
	m := &NoticeMetrics{
		Sent:   prometheus.NewCounter(prometheus.CounterOpts{Name: "glpinet_subscription_notices_total", Help: "Subscription ending and ended notices sent."}),
		Errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "glpinet_subscription_notice_errors_total", Help: "Scans for subscription notices that failed, wholly or in part."}),
	}
	reg.MustRegister(m.Sent, m.Errors)
	return m
}

// Run scans at once, then every Interval, until ctx ends. A failed scan is
// logged and counted, and the next one tries again: what it did not
// record is still due.
func (n *Notices) Run(ctx context.Context) {
	interval := n.Interval
	if interval <= 0 {
		interval = NoticeInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce scans once and returns how many notices it sent.
func (n *Notices) RunOnce(ctx context.Context) int {
	now := time.Now
	if n.Now != nil {
		now = n.Now
	}
	log := n.Log
	if log == nil {
		log = slog.Default()
	}
	sent, err := n.Store.SendSubscriptionNotices(ctx, now(), n.OffersURL)
	if n.Metrics != nil {
		n.Metrics.Sent.Add(float64(sent))
	}
	if err != nil && ctx.Err() == nil {
		log.Warn("subscription notices failed; will retry", "err", err, "sent", sent)
		if n.Metrics != nil {
			n.Metrics.Errors.Inc()
		}
	}
	if sent > 0 {
		log.Info("subscription notices", "sent", sent)
		if n.Wake != nil {
			n.Wake()
		}
	}
	return sent
}
