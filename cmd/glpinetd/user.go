package main

import (
	"context"
	"fmt"
	"io"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/service"
)

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "user", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"list":     userList,
		"password": setPassword("user password"),
		"disable":  setDisabled("user disable", true),
		"enable":   setDisabled("user enable", false),
		"verify":   userVerify,
	})
}

// userList lists an account's portal users.
func userList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("user list")
	account := c.fs.Int64("account", 0, "account `ID` (required)")
	check := func(pos []string) error {
		if len(pos) != 0 || *account <= 0 {
			return cli.Usagef("user list needs --account ID (and no other argument)")
		}
		return nil
	}
	return c.run(ctx, args, stdout, check, func(db Store, _ []string, out cli.Output) error {
		if _, err := db.FindAccountByID(ctx, *account); err != nil {
			return err
		}
		users, err := glpinet.All(func(p glpinet.Page) ([]*glpinet.User, string, error) { return db.ListUsers(ctx, *account, p) })
		if err != nil {
			return err
		}
		return out.Result(map[string]any{"users": nonNil(users)}, func(w io.Writer) { printUsers(w, users) })
	})
}

// setPassword is `user password` and `operator password` (the same, under
// the name an operator looks for): it sets the password of a user or an
// operator who lost access, the way back in when nobody can log in to
// the portal.
func setPassword(name string) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return runSetPassword(ctx, name, args, stdout)
	}
}

func runSetPassword(ctx context.Context, name string, args []string, stdout io.Writer) error {
	c := newDBCommand(name)
	var password string
	check := func(pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("%s takes one EMAIL; the password comes on standard input", name)
		}
		var err error
		password, err = readPassword("glpinetd " + name + " " + pos[0])
		return err
	}
	return c.run(ctx, args, stdout, check, func(db Store, pos []string, out cli.Output) error {
		u, err := service.New(db, nil).ResetPassword(cliActor(ctx), pos[0], password)
		if err != nil {
			return err
		}
		return out.Result(map[string]any{"id": u.ID, "email": u.Email, "password_set": true}, func(w io.Writer) {
			fmt.Fprintf(w, "New password set for %s (user %d); their portal sessions are ended.\n", u.Email, u.ID)
		})
	})
}

// printUsers writes users as a table.
func printUsers(w io.Writer, users []*glpinet.User) {
	fmt.Fprintln(w, "ID\tE-MAIL\tNAME\tROLE\tSTATE\tCREATED")
	for _, u := range users {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, userState(u), glpinet.FormatDate(u.CreatedAt))
	}
}

// userState is a user's state in lists: enabled, or disabled with the day.
func userState(u *glpinet.User) string {
	if u.Disabled() {
		return "disabled since " + glpinet.FormatDate(*u.DisabledAt)
	}
	return "enabled"
}

// nonNil returns s, or an empty slice for nil: JSON lists are [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
