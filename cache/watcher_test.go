package cache

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// pushFeed is a change feed that pushes changes, as PostgreSQL's does:
// each ListenChanges session reads changes from a channel until the test
// cuts it.
type pushFeed struct {
	changes chan glpinet.Change
	cut     chan struct{}
	mu      sync.Mutex
	// sessions counts ListenChanges calls that reached ready.
	sessions int
}

func (p *pushFeed) ChangesSince(context.Context, int64, int) ([]glpinet.Change, error) {
	return nil, errors.New("a listener is never polled")
}
func (p *pushFeed) LastChangeID(context.Context) (int64, error) { return 0, nil }

func (p *pushFeed) ListenChanges(ctx context.Context, ready func(), apply func(glpinet.Change)) error {
	p.mu.Lock()
	p.sessions++
	p.mu.Unlock()
	ready()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.cut:
			return errors.New("connection lost")
		case c := <-p.changes:
			apply(c)
		}
	}
}

// recorder is a follower that records what it is told.
type recorder struct {
	mu              sync.Mutex
	applied         []glpinet.Change
	resets, settles int
}

func (r *recorder) Apply(c glpinet.Change) {
	r.mu.Lock()
	r.applied = append(r.applied, c)
	r.mu.Unlock()
}
func (r *recorder) Reset() { r.mu.Lock(); r.resets++; r.mu.Unlock() }
func (r *recorder) Settle(context.Context) error {
	r.mu.Lock()
	r.settles++
	r.mu.Unlock()
	return nil
}

func (r *recorder) snapshot() (applied, resets, settles int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.applied), r.resets, r.settles
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWatcherListens: with a feed that pushes changes, each change reaches
// the followers and is settled at once (not at the next tick), and every
// (re)connection resets them, since changes made while disconnected were
// not seen.
func TestWatcherListens(t *testing.T) {
	feed := &pushFeed{changes: make(chan glpinet.Change), cut: make(chan struct{})}
	rec := &recorder{}
	w := &Watcher{Feed: feed, Followers: []Follower{rec}, Interval: time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(t.Context())
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if err := w.WaitListening(ctx); err != nil {
		t.Fatal(err)
	}
	// The followers load after the first connection: nothing to reset.
	if _, r, _ := rec.snapshot(); r != 0 {
		t.Fatalf("%d resets on the first connection", r)
	}
	feed.changes <- glpinet.Change{ID: 7, Topic: glpinet.TopicKey, Subject: "ab"}
	eventually(t, "the change and a settle", func() bool { a, _, s := rec.snapshot(); return a == 1 && s >= 1 })

	feed.cut <- struct{}{}
	eventually(t, "a reset on reconnection", func() bool { _, r, _ := rec.snapshot(); return r == 1 })
	feed.changes <- glpinet.Change{ID: 8, Topic: glpinet.TopicAccount, Subject: "1"}
	eventually(t, "the change after reconnection", func() bool { a, _, _ := rec.snapshot(); return a == 2 })
	feed.mu.Lock()
	defer feed.mu.Unlock()
	if feed.sessions != 2 {
		t.Fatalf("%d listening sessions, want 2", feed.sessions)
	}
}
