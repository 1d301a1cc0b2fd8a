package postgres

import (
	"context"
	"strconv"
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
	where, args := []string{"TRUE"}, []any{}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, cond+" $"+strconv.Itoa(len(args)))
	}
	if after > 0 {
		add("id <", after)
	}
	if f.Actor != "" {
		// The whole actor, its first word ("user:7" of "user:7
		// jane@example.com") or its last (the e-mail): see
		// glpinet.UserActor.
		n := strconv.Itoa(len(args) + 1)
		args = append(args, f.Actor, f.Actor+" ", " "+f.Actor, utf8.RuneCountInString(f.Actor)+1)
		where = append(where, "(actor = $"+n+" OR left(actor, $"+strconv.Itoa(len(args))+") = $"+strconv.Itoa(len(args)-2)+
			" OR right(actor, $"+strconv.Itoa(len(args))+") = $"+strconv.Itoa(len(args)-1)+")")
	}
	if f.Action != "" {
		add("action =", f.Action)
	}
	if f.Subject != "" {
		add("subject =", f.Subject)
	}
	if !f.Since.IsZero() {
		add("at >=", f.Since)
	}
	args = append(args, f.Size()+1)
	events, err := db.listAuditEvents(ctx, `SELECT id, at, actor, action, subject, details FROM audit_events WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, "", err
	}
	events, next := glpinet.Cut(f.Page, events, func(e *glpinet.AuditEvent) string { return glpinet.IDCursor(glpinet.CursorAudit, e.ID) })
	return events, next, nil
}

func (db *DB) listAuditEvents(ctx context.Context, query string, args ...any) ([]*glpinet.AuditEvent, error) {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []*glpinet.AuditEvent
	for rows.Next() {
		var e glpinet.AuditEvent
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Details); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, mapError(rows.Err())
}
