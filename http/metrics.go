package http

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus collectors, registered on the
// registry owned by the caller (never the global one, so that tests can run
// several servers in one process).
type metrics struct {
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	validations *prometheus.CounterVec
	downloads   *prometheus.CounterVec
	refused     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glpinet_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "glpinet_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		validations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glpinet_validations_total", Help: "Registration key validations by verdict code.",
		}, []string{"code"}),
		downloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glpinet_downloads_total", Help: "Archive downloads served (kind=archive) and download notices received (kind=notice).",
		}, []string{"kind"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glpinet_refused_total", Help: "Connections and requests refused by a protective limit, by limit.",
		}, []string{"limit"}),
	}
	reg.MustRegister(m.requests, m.duration, m.validations, m.downloads, m.refused)
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	if status == 0 {
		status = 200
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}
