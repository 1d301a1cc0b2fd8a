package postgres

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/glpinet/glpinet"
)

// ListAuditEvents returns events newest first.
func (db *DB) ListAuditEvents(ctx context.Context, f glpinet.AuditFilter) ([]*glpinet.AuditEvent, error) {
	where, args := []string{"TRUE"}, []any{}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, cond+" $"+strconv.Itoa(len(args)))
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
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := db.pool.Query(ctx, `SELECT id, at, actor, action, subject, details FROM audit_events WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
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
