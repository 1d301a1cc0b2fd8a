package glpinet

import (
	"context"
	"strconv"
	"time"
)

// AuditEvent records who did what, and when.
type AuditEvent struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`   // "cli:<os user>", "user:<id> <e-mail>", "token:<id>/user:<id> <e-mail>"
	Action  string    `json:"action"`  // e.g. key.issue, key.revoke, plugin.publish
	Subject string    `json:"subject"` // what it acted on, e.g. "account:3"
	Details string    `json:"details"` // free text; never a secret
}

// AuditFilter selects audit events, newest first, one page at a time.
type AuditFilter struct {
	Actor   string
	Action  string
	Subject string
	Since   time.Time
	Page
}

type actorKey struct{}

// WithActor returns a context whose changes are attributed to actor in the
// audit log.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

type auditNoticeKey struct{}

// WithAuditNotice returns a context whose audit events are passed to
// notice once the transaction that wrote them committed (never those of a
// transaction rolled back), with the context of the store call that wrote
// them. glpinetd serve logs operator actions this way, in one place for
// every surface.
func WithAuditNotice(ctx context.Context, notice func(context.Context, AuditEvent)) context.Context {
	return context.WithValue(ctx, auditNoticeKey{}, notice)
}

// NoticeAudit passes events to the notice of ctx (see WithAuditNotice),
// if it has one. Stores call it after a commit.
func NoticeAudit(ctx context.Context, events []AuditEvent) {
	if len(events) == 0 {
		return
	}
	notice, _ := ctx.Value(auditNoticeKey{}).(func(context.Context, AuditEvent))
	if notice == nil {
		return
	}
	for _, e := range events {
		notice(ctx, e)
	}
}

// ActorFrom returns the actor of ctx, "system" when none was set.
func ActorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}

// Audit subjects and actors: how events name what they acted on and who
// acted. Every store and surface builds them here, so that filtering the
// log by "account:3" finds what any of them wrote.

// AccountSubject names an account: "account:<id>".
func AccountSubject(id int64) string { return "account:" + strconv.FormatInt(id, 10) }

// UserSubject names a user: "user:<id>". A user acting in the portal is
// this actor too.
func UserSubject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// KeySubject names a registration key by ID: "key:<id>".
func KeySubject(id int64) string { return "key:" + strconv.FormatInt(id, 10) }

// InvitationSubject names an invitation: "invitation:<id>".
func InvitationSubject(id int64) string { return "invitation:" + strconv.FormatInt(id, 10) }

// TokenSubject names an API token: "token:<id>".
func TokenSubject(id int64) string { return "token:" + strconv.FormatInt(id, 10) }

// UserActor names a user acting in the portal: "user:<id> <e-mail>". The
// e-mail is written with the event so that the log says who acted even
// once the user is removed (and SQLite may give the ID to someone else).
// An audit filter matches the whole actor, "user:<id>" or the e-mail.
func UserActor(u *User) string { return UserSubject(u.ID) + " " + u.Email }

// TokenActor names a management API call: "token:<id>/user:<id> <e-mail>".
func TokenActor(tokenID int64, u *User) string {
	return TokenSubject(tokenID) + "/" + UserActor(u)
}

// CLIActor names a command run by the operating-system user name: "cli:<name>".
func CLIActor(name string) string { return "cli:" + name }

// AuditStore reads the audit log (mutations write it themselves).
type AuditStore interface {
	// ListAuditEvents returns a page of the events f selects, newest
	// (highest ID) first, and the cursor of the next page ("" on the
	// last). Returns EINVALID (a malformed cursor).
	ListAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, string, error)
}
