package mail

import (
	"github.com/glpinet/glpinet"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the outbox's, on the server's registry.
type Metrics struct {
	// Outbox is glpinet_mail_outbox{state}: mails pending, sent (kept
	// KeepSent) and failed (given up, kept KeepFailed), read every minute.
	Outbox *prometheus.GaugeVec
	// Sent is glpinet_mail_sent_total: mails the SMTP server accepted.
	Sent prometheus.Counter
	// Failed is glpinet_mail_failed_total: failed attempts, retried or
	// not: a rate above zero means mail is not going out now.
	Failed prometheus.Counter
}

// NewMetrics registers the outbox's metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Outbox: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "glpinet_mail_outbox", Help: "Mails in the outbox by state (pending, sent, failed)."}, []string{"state"}),
		Sent:   prometheus.NewCounter(prometheus.CounterOpts{Name: "glpinet_mail_sent_total", Help: "Mails accepted by the SMTP server."}),
		Failed: prometheus.NewCounter(prometheus.CounterOpts{Name: "glpinet_mail_failed_total", Help: "Failed attempts to send a mail (retried or given up)."}),
	}
	reg.MustRegister(m.Outbox, m.Sent, m.Failed)
	return m
}

func (m *Metrics) setCounts(counts map[glpinet.MailState]int) {
	for _, s := range []glpinet.MailState{glpinet.MailPending, glpinet.MailSent, glpinet.MailFailed} {
		m.Outbox.WithLabelValues(string(s)).Set(float64(counts[s]))
	}
}
