package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
)

func runAccount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "account", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"create": accountCreate,
		"list":   accountList,
		"suspend": func(ctx context.Context, a []string, o, e io.Writer) error {
			return accountState(ctx, "account suspend", a, o, glpinet.AccountSuspended)
		},
		"activate": func(ctx context.Context, a []string, o, e io.Writer) error {
			return accountState(ctx, "account activate", a, o, glpinet.AccountActive)
		},
	})
}

func accountCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("account create")
	duplicate := c.fs.Bool("allow-duplicate", false, "create the account even if one already has this name")
	return c.run(ctx, args, stdout, nArgs(1, "account create takes one NAME (quote it if it has spaces)"), func(db Store, pos []string, out cli.Output) error {
		if !*duplicate {
			// Two accounts of one name are most often one created twice
			// (a script run again), and their keys then get mixed up.
			if same, err := accountsNamed(ctx, db, pos[0]); err != nil {
				return err
			} else if len(same) > 0 {
				return glpinet.Errorf(glpinet.ECONFLICT, "Account %d is already named %q; to create another one all the same, add --allow-duplicate.", same[0].ID, same[0].Name)
			}
		}
		a := &glpinet.Account{Name: pos[0]}
		if err := db.CreateAccount(cliActor(ctx), a); err != nil {
			return err
		}
		return out.Result(a, func(w io.Writer) {
			fmt.Fprintf(w, "Created account %d %q with the free %q offer.\nIssue a key: glpinetd key issue --account %d\n", a.ID, a.Name, glpinet.FreeOfferReference, a.ID)
		})
	})
}

func accountList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("account list")
	name := c.fs.String("name", "", "only accounts whose name contains TEXT")
	limit := c.fs.Int("limit", 100, fmt.Sprintf("at most N accounts (up to %d)", glpinet.MaxPageLimit))
	after := c.fs.String("after", "", "the page after this `CURSOR` (the next cursor of the previous page)")
	offset := c.fs.Int("offset", 0, "skip N accounts (prefer --after)")
	return c.run(ctx, args, stdout, nArgs(0, "account list takes no arguments"), func(db Store, _ []string, out cli.Output) error {
		f := glpinet.AccountFilter{Page: glpinet.Page{After: *after, Limit: *limit}, Offset: *offset}
		if *name != "" {
			f.Name = name
		}
		as, next, err := db.FindAccounts(ctx, f)
		if err != nil {
			return err
		}
		if as == nil {
			as = []*glpinet.Account{}
		}
		return out.Result(map[string]any{"accounts": as, "next": next}, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tNAME\tSTATE\tCREATED")
			for _, a := range as {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", a.ID, a.Name, a.State, glpinet.FormatDate(a.CreatedAt))
			}
			if next != "" {
				fmt.Fprintf(w, "(more accounts follow: add --after %s)\n", next)
			}
		})
	})
}

func accountState(ctx context.Context, name string, args []string, stdout io.Writer, state glpinet.AccountState) error {
	c := newDBCommand(name)
	var id int64
	return c.run(ctx, args, stdout, oneID("account", "give one account ID", &id), func(db Store, _ []string, out cli.Output) error {
		if err := db.SetAccountState(cliActor(ctx), id, state); err != nil {
			return err
		}
		return out.Result(map[string]any{"id": id, "state": state}, func(w io.Writer) {
			fmt.Fprintf(w, "Account %d is now %s (running servers notice within a second).\n", id, state)
		})
	})
}

// accountsNamed returns the accounts whose name is name, ignoring case and
// surrounding spaces.
func accountsNamed(ctx context.Context, db Store, name string) ([]*glpinet.Account, error) {
	name = strings.TrimSpace(name)
	var same []*glpinet.Account
	p := glpinet.Page{Limit: glpinet.MaxPageLimit}
	for {
		as, next, err := db.FindAccounts(ctx, glpinet.AccountFilter{Name: &name, Page: p})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if strings.EqualFold(strings.TrimSpace(a.Name), name) {
				same = append(same, a)
			}
		}
		if next == "" {
			return same, nil
		}
		p.After = next
	}
}

// parseID reads a numeric ID given on the command line.
func parseID(s, what string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, cli.Usagef("%q is not a valid %s ID (a positive number)", s, what)
	}
	return id, nil
}
