package postgres

import (
	"errors"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/glpinet/glpinet/internal/storeflow"
)

// TestMailInTransaction: a mail enqueued by a write that rolls back is not
// in the outbox; a given-up mail's values (which may hold a reset link)
// are gone from the database.
func TestMailInTransaction(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	boom := errors.New("boom")
	err = db.update(ctx, func(tx *Tx) error {
		if err := storeflow.EnqueueMail(ctx, tx, &glpinet.Mail{To: "a@example.com", Kind: "test"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update: %v", err)
	}
	if n, _ := db.CountMails(ctx); n[glpinet.MailPending] != 0 {
		t.Fatalf("a rolled-back write left %d mails", n[glpinet.MailPending])
	}
	if err := db.EnqueueMail(ctx, &glpinet.Mail{To: "a@example.com", Kind: "test", Data: map[string]string{"link": "https://secret"}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ms, err := db.ClaimMails(ctx, now, time.Minute, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claim: %v, %v", ms, err)
	}
	if err := db.FinishMail(ctx, ms[0].ID, ms[0].Claim, now, glpinet.MailOutcome{Error: "550 no"}); err != nil {
		t.Fatal(err)
	}
	var data string
	if err := db.pool.QueryRow(ctx, `SELECT data FROM mail_outbox WHERE id = $1`, ms[0].ID).Scan(&data); err != nil || data != "{}" {
		t.Fatalf("data of a given-up mail = %q, %v; want {}", data, err)
	}
}
