package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/glpinet/glpinet/cache"
)

// startHangups makes SIGHUP, in every mode, re-read what may change while
// the server runs: the database behind the caches (a change made without
// the change feed: a restore into the running database, a hand-made SQL
// fix) and, with --tls-cert, the certificate files. Settings are read at
// start only, and the log line says so. The signal is registered before
// this returns: from then on its default action, ending the process, no
// longer applies, so neither `systemctl reload glpinetd` nor a stray
// `kill -HUP` stops the service.
func (m *Main) startHangups(ctx context.Context, w *cache.Watcher) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	m.wg.Go(func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
			}
			if m.tls.reload != nil {
				m.Logger.Info("SIGHUP: reading the database and the certificate files again; other settings need a restart")
				select {
				case m.tls.reload <- syscall.SIGHUP:
				default: // a reload is pending already
				}
			} else {
				m.Logger.Info("SIGHUP: reading the database again; settings need a restart")
			}
			w.Reset()
		}
	})
}
