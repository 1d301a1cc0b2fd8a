package glpinet

import (
	"context"
	"time"
)

// AuditEvent records who did what, and when.
type AuditEvent struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`   // "cli:<os user>", "user:<id>", "token:<id>"
	Action  string    `json:"action"`  // e.g. key.issue, key.revoke, plugin.publish
	Subject string    `json:"subject"` // what it acted on, e.g. "account:3"
	Details string    `json:"details"` // free text; never a secret
}

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	Actor   string
	Action  string
	Subject string
	Since   time.Time
	Limit   int
}

type actorKey struct{}

// WithActor returns a context whose changes are attributed to actor in the
// audit log.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor of ctx, "system" when none was set.
func ActorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}
