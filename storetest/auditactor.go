package storetest

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testAuditActorFilter: an actor recorded as "user:<id> <e-mail>" (what
// the portal and the API write) is found by the whole actor, by its
// "user:<id>" or by the e-mail alone, and "user:7" does not find "user:70".
func testAuditActorFilter(t *testing.T, open Opener) {
	s := open(t, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
	jane := &glpinet.User{ID: 7, Email: "jane@example.com"}
	other := &glpinet.User{ID: 70, Email: "other@example.com"}
	for i, actor := range []string{glpinet.UserActor(jane), glpinet.UserActor(other), glpinet.TokenActor(3, jane), "cli:root"} {
		ctx := glpinet.WithActor(t.Context(), actor)
		if err := s.CreateAccount(ctx, &glpinet.Account{Name: "Account " + string(rune('A'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	for filter, want := range map[string]string{
		"user:7":                   "user:7 jane@example.com",
		"user:70":                  "user:70 other@example.com",
		"user:7 jane@example.com":  "user:7 jane@example.com",
		"jane@example.com":         "token:3/user:7 jane@example.com|user:7 jane@example.com",
		"token:3/user:7":           "token:3/user:7 jane@example.com",
		"cli:root":                 "cli:root",
		"example.com":              "",
		"user":                     "",
		"user:7 jane@example.com ": "",
	} {
		events, _, err := s.ListAuditEvents(t.Context(), glpinet.AuditFilter{Actor: filter, Action: "account.create"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			got = append(got, e.Actor)
		}
		sort.Strings(got)
		if strings.Join(got, "|") != want {
			t.Errorf("actor filter %q found %q, want %q", filter, got, want)
		}
	}
}
