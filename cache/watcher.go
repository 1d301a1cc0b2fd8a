package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/glpinet/glpinet"
)

// Follower receives the changes of the store's change feed.
type Follower interface {
	// Apply handles one change.
	Apply(c glpinet.Change)
	// Reset drops everything: changes may have been missed.
	Reset()
}

// Settler is a follower that does its deferred work after each poll.
type Settler interface {
	Settle(ctx context.Context) error
}

// Watcher follows the change feed and hands every change to its
// followers. When the feed pushes changes as they commit
// (glpinet.ChangeListener, PostgreSQL), it listens; otherwise it polls the
// feed every Interval: polling an indexed table once a second is cheap for
// SQLite and works for any number of processes sharing the database.
type Watcher struct {
	Feed      glpinet.ChangeFeed
	Followers []Follower
	Interval  time.Duration
	Log       *slog.Logger

	last int64
	// listener is set when the feed pushes changes; settleNow then asks
	// Run to settle the followers after changes arrived, and listening is
	// closed once the first connection listens.
	listener  glpinet.ChangeListener
	settleNow chan struct{}
	listening chan struct{}
}

// Start prepares the watcher. When polling, it reads the current position
// of the feed: changes before it are already reflected in what the
// followers load next. When listening, call Run then WaitListening before
// the followers load, for the same guarantee.
func (w *Watcher) Start(ctx context.Context) error {
	if l, ok := w.Feed.(glpinet.ChangeListener); ok {
		w.listener = l
		w.settleNow = make(chan struct{}, 1)
		w.listening = make(chan struct{})
		return nil
	}
	id, err := w.Feed.LastChangeID(ctx)
	w.last = id
	return err
}

// WaitListening waits until a listening watcher's first connection
// listens (at once when polling).
func (w *Watcher) WaitListening(ctx context.Context) error {
	if w.listening == nil {
		return nil
	}
	select {
	case <-w.listening:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for change notifications: %w", ctx.Err())
	}
}

// Run follows the feed until ctx is done.
func (w *Watcher) Run(ctx context.Context) {
	if w.listener != nil {
		// Waited for, so that the listening connection is closed when Run
		// returns (before the caller closes the store).
		var wg sync.WaitGroup
		wg.Go(func() { w.listen(ctx, w.listener) })
		defer wg.Wait()
	}
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.settleNow:
		}
		var err error
		if w.listener != nil {
			// Listening: only the deferred work (catalogue rebuild,
			// sweeps) is left to do here.
			err = w.settle(ctx)
		} else {
			err = w.Poll(ctx)
		}
		switch {
		case err != nil && !failing:
			w.Log.Warn("change feed unreachable; caches keep serving what they have", "err", err)
			failing = true
		case err == nil && failing:
			w.Log.Info("change feed reachable again")
			failing = false
		}
	}
}

// listen keeps a listener connected until ctx is done. Changes committed
// while it was not listening cannot be known, so every reconnection resets
// the followers: the validation cache is then re-read from the database,
// the catalogue rebuilt. The first connection resets nothing, since the
// followers load after it (see Start). Fresh and the catalogue's MaxAge
// remain the periodic safety net should a notification ever be lost.
func (w *Watcher) listen(ctx context.Context, l glpinet.ChangeListener) {
	const minBackoff, maxBackoff = 100 * time.Millisecond, 5 * time.Second
	backoff := minBackoff
	lost, first := false, true
	for ctx.Err() == nil {
		err := l.ListenChanges(ctx, func() {
			if first {
				first = false
				close(w.listening)
			} else {
				for _, f := range w.Followers {
					f.Reset()
				}
			}
			w.poke()
			backoff = minBackoff
			if lost {
				w.Log.Info("listening to changes again; caches reset")
				lost = false
			}
		}, func(c glpinet.Change) {
			for _, f := range w.Followers {
				f.Apply(c)
			}
			w.poke()
		})
		if ctx.Err() != nil {
			return
		}
		if !lost {
			w.Log.Warn("change notifications lost; caches keep serving what they have until reconnected", "err", err)
			lost = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// Reset makes every follower read the store again, as after a gap in the
// feed: for a change made without the feed (a database restored under a
// running server, a hand-made SQL fix), which no notice announces. Safe
// to call from any goroutine.
func (w *Watcher) Reset() {
	for _, f := range w.Followers {
		f.Reset()
	}
	w.poke()
}

// poke asks Run to settle soon; a burst of changes costs one settle.
func (w *Watcher) poke() {
	select {
	case w.settleNow <- struct{}{}:
	default:
	}
}

// Poll applies the changes since the last poll.
func (w *Watcher) Poll(ctx context.Context) error {
	const batch = 1000
	for {
		changes, err := w.Feed.ChangesSince(ctx, w.last, batch)
		if err != nil {
			return err
		}
		if len(changes) > 0 && changes[0].ID > w.last+1 && w.last > 0 {
			// Entries were pruned before we read them: we cannot know
			// what changed, so start over.
			for _, f := range w.Followers {
				f.Reset()
			}
		}
		for _, c := range changes {
			for _, f := range w.Followers {
				f.Apply(c)
			}
			w.last = c.ID
		}
		if len(changes) < batch {
			return w.settle(ctx)
		}
	}
}

func (w *Watcher) settle(ctx context.Context) error {
	for _, f := range w.Followers {
		if s, ok := f.(Settler); ok {
			if err := s.Settle(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}
