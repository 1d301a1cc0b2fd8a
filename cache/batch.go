package cache

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/glpinet/glpinet"
)

// Sightings collects the instances seen by the GLPI endpoints and writes
// them in batches, off the request path: one database write per instance
// per interval instead of one per request.
type Sightings struct {
	Store interface {
		RecordSightings(ctx context.Context, s []glpinet.Sighting) error
	}
	Log *slog.Logger

	mu      sync.Mutex
	pending map[sightingKey]glpinet.Sighting
}

type sightingKey struct {
	keyID int64
	uid   string
}

// maxPendingSightings bounds memory if the store is down for long: the
// newest sightings of the instances already pending still update in place.
const maxPendingSightings = 100_000

// Add records a sighting to be written at the next flush.
func (s *Sightings) Add(x glpinet.Sighting) {
	k := sightingKey{x.KeyID, x.UID}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		s.pending = map[sightingKey]glpinet.Sighting{}
	}
	if _, ok := s.pending[k]; ok || len(s.pending) < maxPendingSightings {
		s.pending[k] = x
	}
}

// Flush writes the pending sightings; on failure they are kept for the next
// try.
func (s *Sightings) Flush(ctx context.Context) error {
	s.mu.Lock()
	batch := make([]glpinet.Sighting, 0, len(s.pending))
	for _, x := range s.pending {
		batch = append(batch, x)
	}
	s.pending = nil
	s.mu.Unlock()
	if err := s.Store.RecordSightings(ctx, batch); err != nil {
		for _, x := range batch {
			s.Add(x)
		}
		return err
	}
	return nil
}

// Downloads counts the download notices GLPI sends after installing a
// plugin and adds them to the store in batches.
type Downloads struct {
	Store interface {
		AddDownloads(ctx context.Context, key string, n int64) error
	}

	mu      sync.Mutex
	pending map[string]int64
}

// Add counts one download of plugin key.
func (d *Downloads) Add(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pending == nil {
		d.pending = map[string]int64{}
	}
	d.pending[key]++
}

// Flush writes the pending counts; counts that fail are kept.
func (d *Downloads) Flush(ctx context.Context) error {
	d.mu.Lock()
	batch := d.pending
	d.pending = nil
	d.mu.Unlock()
	var first error
	for k, n := range batch {
		err := d.Store.AddDownloads(ctx, k, n)
		if err != nil && glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
			d.mu.Lock()
			if d.pending == nil {
				d.pending = map[string]int64{}
			}
			d.pending[k] += n
			d.mu.Unlock()
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// Every calls fn every interval until ctx is done, and once more at the end
// with a fresh context so that pending batches are not lost on shutdown.
func Every(ctx context.Context, interval time.Duration, log *slog.Logger, what string, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := fn(final); err != nil {
				log.Warn("final "+what+" failed", "err", err)
			}
			return
		case <-t.C:
			if err := fn(ctx); err != nil {
				log.Warn(what+" failed; will retry", "err", err)
			}
		}
	}
}
