package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/service"
)

// disableResult is what operator|user disable|enable print with --json.
type disableResult struct {
	ID         int64            `json:"id"`
	Email      string           `json:"email"`
	Role       glpinet.UserRole `json:"role"`
	Disabled   bool             `json:"disabled"`
	DisabledAt *time.Time       `json:"disabled_at"`
	// Changed is false when the user already had the state asked for.
	Changed bool `json:"changed"`
}

// setDisabled is the command name ("operator disable", "user enable"…):
// the operator and user groups share it, for whoever runs the server to
// lock a person out (a departure, a leaked password) and let them back.
func setDisabled(name string, disabled bool) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		c := newDBCommand(name)
		return c.run(ctx, args, stdout, nArgs(1, name+" takes one EMAIL"), func(db Store, pos []string, out cli.Output) error {
			u, changed, err := service.New(db, nil).SetDisabled(cliActor(ctx), pos[0], disabled)
			if err != nil {
				return err
			}
			res := disableResult{ID: u.ID, Email: u.Email, Role: u.Role, Disabled: u.Disabled(), DisabledAt: u.DisabledAt, Changed: changed}
			noun, _, _ := strings.Cut(name, " ")
			return out.Result(res, func(w io.Writer) { fmt.Fprintln(w, describeDisable(noun, u, changed)) })
		})
	}
}

// describeDisable says what noun (operator or user) disable|enable did
// to u.
func describeDisable(noun string, u *glpinet.User, changed bool) string {
	who := fmt.Sprintf("%s (user %d)", u.Email, u.ID)
	switch {
	case !changed && u.Disabled():
		return who + " was already disabled, since " + glpinet.FormatDate(*u.DisabledAt) + "; nothing changed."
	case !changed:
		return who + " was already enabled; nothing changed."
	case u.Disabled():
		return who + " is disabled: their portal sessions are ended and their API tokens refused until glpinetd " + noun + " enable " + u.Email + "."
	}
	return who + " is enabled: they may sign in again, and their API tokens work again."
}
