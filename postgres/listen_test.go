package postgres_test

import (
	"context"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/postgres"
	"github.com/jackc/pgx/v5"
)

// listener runs ListenChanges in the background on db.
type listener struct {
	changes chan glpinet.Change
	done    chan error
	cancel  context.CancelFunc
}

func listen(t *testing.T, db glpinet.ChangeListener) *listener {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	l := &listener{changes: make(chan glpinet.Change, 100), done: make(chan error, 1), cancel: cancel}
	ready := make(chan struct{})
	go func() {
		l.done <- db.ListenChanges(ctx, func() { close(ready) }, func(c glpinet.Change) { l.changes <- c })
	}()
	t.Cleanup(func() { cancel(); <-l.done })
	select {
	case <-ready:
	case err := <-l.done:
		t.Fatalf("ListenChanges before ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("ListenChanges not ready after 10s")
	}
	return l
}

// next returns the next change, failing if none arrives within a second.
func (l *listener) next(t *testing.T) glpinet.Change {
	t.Helper()
	select {
	case c := <-l.changes:
		return c
	case err := <-l.done:
		t.Fatalf("ListenChanges ended: %v", err)
	case <-time.After(time.Second):
		t.Fatal("no change within a second")
	}
	panic("unreachable")
}

// TestListenChanges: a change made through one handle (replica) reaches
// another's listener within a second, with the ID, topic and subject the
// feed has.
func TestListenChanges(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	writer, reader := open(t, dsn), open(t, dsn)
	ctx := t.Context()
	l := listen(t, reader)

	a := &glpinet.Account{Name: "ACME"}
	if err := writer.CreateAccount(ctx, a); err != nil { // no change: nothing cached yet
		t.Fatal(err)
	}
	raw, _ := glpinet.GenerateKey()
	k := &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)}
	if err := writer.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := writer.RevokeKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	// A bulk import is one notification, whatever its size.
	bulk := make([]*glpinet.RegistrationKey, 1000)
	for i := range bulk {
		raw, _ := glpinet.GenerateKey()
		bulk[i] = &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw)}
	}
	if err := writer.CreateKeys(ctx, bulk); err != nil {
		t.Fatal(err)
	}
	if err := writer.SetAccountState(ctx, a.ID, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	feed, err := reader.ChangesSince(ctx, 0, 10)
	if err != nil || len(feed) != 4 {
		t.Fatalf("ChangesSince = %v, %v", feed, err)
	}
	for i, want := range feed {
		got := l.next(t)
		if got.ID != want.ID || got.Topic != want.Topic || got.Subject != want.Subject || !got.At.Equal(want.At) {
			t.Fatalf("notification %d = %+v, want %+v", i, got, want)
		}
	}
	if feed[0].Subject != hex.EncodeToString(k.Hash[:]) || feed[2].Topic != glpinet.TopicKeys || feed[2].Subject != "1000" || feed[3].Topic != glpinet.TopicAccount {
		t.Fatalf("feed = %+v", feed)
	}

	// A rolled-back transaction announces nothing.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, _ := conn.Begin(ctx)
	tx.Exec(ctx, `INSERT INTO changes (topic, subject, at) VALUES ('key', 'rolled back', now())`)
	tx.Rollback(ctx)
	if err := writer.SetAccountState(ctx, a.ID, glpinet.AccountActive); err != nil {
		t.Fatal(err)
	}
	if c := l.next(t); c.Topic != glpinet.TopicAccount {
		t.Fatalf("after a rollback, got %+v", c)
	}

	l.cancel()
	if err := <-l.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("ListenChanges after cancel = %v, want context.Canceled", err)
	}
	l.done <- nil // for the cleanup
}

// TestListenConnectionLost: when the listening connection dies,
// ListenChanges returns EUNAVAILABLE (the caller reconnects and resyncs).
func TestListenConnectionLost(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn)
	l := listen(t, db)
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var pids []int32
	rows, _ := conn.Query(t.Context(), `SELECT pid FROM pg_stat_activity
		WHERE application_name = 'glpinetd listener' AND datname = current_database()`)
	if pids, err = pgx.CollectRows(rows, pgx.RowTo[int32]); err != nil || len(pids) != 1 {
		t.Fatalf("listening connections: %v, %v; want 1", pids, err)
	}
	if _, err := conn.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, pids[0]); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-l.done:
		if glpinet.ErrorCode(err) != glpinet.EUNAVAILABLE {
			t.Fatalf("ListenChanges after its connection was killed = %v, want EUNAVAILABLE", err)
		}
		l.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("ListenChanges still running 5s after its connection was killed")
	}
	// The store itself is unharmed.
	if err := db.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestListenIdle: the periodic check of an idle listening connection
// leaves it listening.
func TestListenIdle(t *testing.T) {
	db := open(t, pgtest.NewDatabase(t))
	postgres.SetListenIdle(db, 50*time.Millisecond)
	l := listen(t, db)
	time.Sleep(300 * time.Millisecond) // several checks
	if err := db.SaveTag(t.Context(), &glpinet.Tag{Key: "reports"}); err != nil {
		t.Fatal(err)
	}
	if c := l.next(t); c.Topic != glpinet.TopicCatalogue || c.Subject != "tag:reports" {
		t.Fatalf("after idle checks, got %+v", c)
	}
}
