package cache

import (
	"context"
	"log/slog"
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

// Watcher polls the change feed and hands every change to its followers.
// Polling an indexed table once a second is cheap for SQLite and works for
// any number of processes sharing the database.
type Watcher struct {
	Feed      glpinet.ChangeFeed
	Followers []Follower
	Interval  time.Duration
	Log       *slog.Logger

	last int64
}

// Start reads the current position of the feed; changes before it are
// already reflected in what the followers load.
func (w *Watcher) Start(ctx context.Context) error {
	id, err := w.Feed.LastChangeID(ctx)
	w.last = id
	return err
}

// Run polls until ctx is done.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := w.Poll(ctx)
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
