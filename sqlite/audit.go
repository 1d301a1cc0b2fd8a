package sqlite

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/glpinet/glpinet"
)

// ListAuditEvents returns events newest first.
func (db *DB) ListAuditEvents(ctx context.Context, f glpinet.AuditFilter) ([]*glpinet.AuditEvent, error) {
	where, args := []string{"1 = 1"}, []any{}
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
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, actor, action, subject, details FROM audit_events WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
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
