package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// changesChannel is where the changes_notify trigger announces each change
// (see migrations/00001_init.sql).
const changesChannel = "glpinet_changes"

// listenerAppName names the listening connection in pg_stat_activity.
const listenerAppName = "glpinetd listener"

// defaultListenIdle is how long ListenChanges waits for a notification
// before it checks the connection: a peer that vanished without closing it
// (a network cut) would otherwise leave it waiting, deaf, for as long as
// the kernel's TCP keepalive takes, many minutes.
const defaultListenIdle = 10 * time.Second

// ListenChanges listens for changes until ctx ends (ctx.Err()) or the
// connection is lost (EUNAVAILABLE). It uses a connection of its own, not
// one of the pool's, which a LISTEN would tie up for good.
func (db *DB) ListenChanges(ctx context.Context, ready func(), apply func(glpinet.Change)) error {
	cfg := db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = listenerAppName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return listenError(ctx, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return listenError(ctx, err)
	}
	ready()
	for {
		wctx, cancel := context.WithTimeout(ctx, db.listenIdle)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case pgconn.Timeout(err):
			// Nothing for a while: make sure the server is still there.
			// (An interrupted wait leaves the connection usable, and
			// notifications arriving during the ping are queued by pgx.)
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return listenError(ctx, err)
			}
			continue
		default:
			return listenError(ctx, err)
		}
		c, err := decodeChange(n.Payload)
		if err != nil {
			// Not ours (someone else NOTIFYing on the channel): nothing
			// to invalidate.
			continue
		}
		apply(c)
	}
}

// listenError is ctx's error when it ended, else err as EUNAVAILABLE.
func listenError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return unavailable(fmt.Errorf("listening to changes: %w", err))
}

// decodeChange reads a notification's payload: the changes row as
// row_to_json writes it.
func decodeChange(payload string) (glpinet.Change, error) {
	var row struct {
		ID      int64     `json:"id"`
		Topic   string    `json:"topic"`
		Subject string    `json:"subject"`
		At      time.Time `json:"at"`
	}
	if err := json.Unmarshal([]byte(payload), &row); err != nil {
		return glpinet.Change{}, err
	}
	if row.ID == 0 || row.Topic == "" {
		return glpinet.Change{}, fmt.Errorf("not a change: %q", payload)
	}
	return glpinet.Change{ID: row.ID, Topic: row.Topic, Subject: row.Subject, At: row.At.UTC()}, nil
}
