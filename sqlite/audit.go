package sqlite

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/glpinet/glpinet"
)

// ListAuditEvents returns a page of events newest first.
func (db *DB) ListAuditEvents(ctx context.Context, f glpinet.AuditFilter) ([]*glpinet.AuditEvent, string, error) {
	after, err := f.AfterID(glpinet.CursorAudit)
	if err != nil {
		return nil, "", err
	}
	where, args := []string{"1 = 1"}, []any{}
	if after > 0 {
		where, args = append(where, "id < ?"), append(args, after)
	}
	if f.Actor != "" {
		// The whole actor, its first word ("user:7" of "user:7
		// jane@example.com") or its last (the e-mail): see
		// glpinet.UserActor.
		n := utf8.RuneCountInString(f.Actor) + 1
		where = append(where, "(actor = ? OR substr(actor, 1, ?) = ? OR substr(actor, -?) = ?)")
		args = append(args, f.Actor, n, f.Actor+" ", n, " "+f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Subject != "" {
		where, args = append(where, "subject = ?"), append(args, f.Subject)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, fmtTime(f.Since))
	}
	events, err := db.listAuditEvents(ctx, `SELECT id, at, actor, action, subject, details FROM audit_events WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, append(args, f.Size()+1)...)
	if err != nil {
		return nil, "", err
	}
	events, next := glpinet.Cut(f.Page, events, func(e *glpinet.AuditEvent) string { return glpinet.IDCursor(glpinet.CursorAudit, e.ID) })
	return events, next, nil
}

func (db *DB) listAuditEvents(ctx context.Context, query string, args ...any) ([]*glpinet.AuditEvent, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*glpinet.AuditEvent
	for rows.Next() {
		var e glpinet.AuditEvent
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.Details); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}
