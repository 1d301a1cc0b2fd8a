// Package tlsreload serves a certificate from PEM files that an operator
// (or certbot, or a secrets agent) replaces while the server runs: the new
// pair is read on demand or when the files change, and handshakes after
// that present it, without closing a single established connection.
//
// A pair that does not load (a half-written file, a key that belongs to
// another certificate) never replaces the one being served: the error is
// logged and the old certificate stays until a good pair appears.
package tlsreload

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// WarnBefore is how long before its expiry a certificate is logged at
// warn level: time enough to renew by hand when automation has failed.
const WarnBefore = 14 * 24 * time.Hour

// Reloader holds the certificate currently served from a pair of files.
// Its methods are safe for concurrent use.
type Reloader struct {
	certFile, keyFile string
	log               *slog.Logger
	now               func() time.Time

	cur atomic.Pointer[tls.Certificate]

	mu    sync.Mutex // serialises loads; guards seen
	seen  stamp      // the files as they were at the last attempt
	onNew func(*tls.Certificate)
}

// stamp identifies one version of the two files cheaply: a rename over
// the file, an in-place rewrite and a truncation all change it.
type stamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

// New loads the pair once; it fails when the first load does, since there
// is then nothing to serve. onNew, if not nil, is called with every
// certificate installed, the first one included (for metrics).
func New(certFile, keyFile string, log *slog.Logger, onNew func(*tls.Certificate)) (*Reloader, error) {
	if log == nil {
		log = slog.Default()
	}
	r := &Reloader{certFile: certFile, keyFile: keyFile, log: log, now: time.Now, onNew: onNew}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// GetCertificate is the tls.Config hook: it returns the current
// certificate, whatever name the client asks for.
func (r *Reloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cur.Load(), nil
}

// Certificate returns the certificate being served.
func (r *Reloader) Certificate() *tls.Certificate { return r.cur.Load() }

// Reload reads the pair now. On error the certificate served is unchanged.
func (r *Reloader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.stat()
	if err != nil {
		return err
	}
	r.seen = st
	return r.load()
}

// reloadIfChanged reads the pair when either file differs from the last
// attempt. A failed attempt is not retried until the files change again,
// so that a broken pair is logged once, not at every poll.
func (r *Reloader) reloadIfChanged() (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.stat()
	if err != nil {
		// A file briefly missing (deleted, then written anew) is a change
		// in progress: report it only once it is back, as a load.
		return false, nil
	}
	if st == r.seen {
		return false, nil
	}
	r.seen = st
	return true, r.load()
}

func (r *Reloader) stat() (stamp, error) {
	c, err := os.Stat(r.certFile)
	if err != nil {
		return stamp{}, err
	}
	k, err := os.Stat(r.keyFile)
	if err != nil {
		return stamp{}, err
	}
	return stamp{certMod: c.ModTime(), keyMod: k.ModTime(), certSize: c.Size(), keySize: k.Size()}, nil
}

// load installs the pair if it is good. r.mu is held.
func (r *Reloader) load() error {
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s with key %s: %w", r.certFile, r.keyFile, err)
	}
	if c.Leaf == nil {
		return errors.New("TLS certificate: no leaf certificate parsed")
	}
	r.cur.Store(&c)
	if r.onNew != nil {
		r.onNew(&c)
	}
	r.checkExpiry()
	return nil
}

// checkExpiry logs a certificate that expires soon (warn) or has expired
// (error).
func (r *Reloader) checkExpiry() {
	c := r.cur.Load()
	if c == nil {
		return
	}
	left := c.Leaf.NotAfter.Sub(r.now())
	switch {
	case left <= 0:
		r.log.Error("the TLS certificate has expired: clients refuse it; replace the files, then send SIGHUP or wait for the next check",
			"file", r.certFile, "not_after", c.Leaf.NotAfter)
	case left < WarnBefore:
		r.log.Warn("the TLS certificate expires soon: renew it", "file", r.certFile,
			"not_after", c.Leaf.NotAfter, "days_left", int(left.Hours()/24))
	}
}

// Watch reloads the pair when the files change (checked every interval)
// and whenever reload receives, until ctx ends. Reloads are logged; an
// error keeps the old certificate. Expiry is checked again once a day,
// since a long-running server may never see its files change.
func (r *Reloader) Watch(ctx context.Context, interval time.Duration, reload <-chan os.Signal) {
	poll := time.NewTicker(interval)
	defer poll.Stop()
	daily := time.NewTicker(24 * time.Hour)
	defer daily.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
			r.logResult("signal", true, r.Reload())
		case <-poll.C:
			changed, err := r.reloadIfChanged()
			r.logResult("files changed", changed, err)
		case <-daily.C:
			r.checkExpiry()
		}
	}
}

func (r *Reloader) logResult(why string, changed bool, err error) {
	switch {
	case err != nil:
		r.log.Error("TLS certificate not reloaded: still serving the previous one", "reason", why, "err", err)
	case changed:
		c := r.cur.Load()
		r.log.Info("TLS certificate reloaded", "reason", why, "file", r.certFile,
			"subject", c.Leaf.Subject.String(), "not_after", c.Leaf.NotAfter)
	}
}
