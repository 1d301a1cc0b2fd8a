package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/service"
)

func runOperator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "operator", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"create":   operatorCreate,
		"list":     operatorList,
		"password": setPassword("operator password"),
		"disable":  setDisabled("operator disable", true),
		"enable":   setDisabled("operator enable", false),
	})
}

// readPassword reads a new password from the first line of standard input
// (never from the command line, which other users of the machine can see).
func readPassword(example string) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", cli.Usagef("give the password on standard input, e.g. %s < password.txt", example)
	}
	password := strings.TrimRight(line, "\r\n")
	if err := service.CheckPassword(password); err != nil {
		return "", cli.Usagef("%s", glpinet.ErrorMessage(err))
	}
	return password, nil
}

// operatorList lists the operators, for whoever must reset one's password.
func operatorList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("operator list")
	return c.run(ctx, args, stdout, nArgs(0, "operator list takes no arguments"), func(db Store, _ []string, out cli.Output) error {
		ops, err := db.ListOperators(ctx)
		if err != nil {
			return err
		}
		return out.Result(map[string]any{"operators": nonNil(ops)}, func(w io.Writer) {
			printUsers(w, ops)
			if len(ops) == 0 {
				fmt.Fprintln(w, "(no operator yet: glpinetd operator create EMAIL < password.txt)")
			}
		})
	})
}

// operatorCreate makes a user who runs the server: the portal's operator
// area is theirs. The password is read from standard input (first line),
// never from the command line.
func operatorCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("operator create")
	name := c.fs.String("name", "", "the operator's name (default: the e-mail's local part)")
	var password string
	check := func(pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("operator create takes one EMAIL; the password comes on standard input")
		}
		var err error
		if password, err = readPassword("glpinetd operator create ops@example.com"); err != nil {
			return err
		}
		if *name == "" {
			*name, _, _ = strings.Cut(pos[0], "@")
		}
		return nil
	}
	return c.run(ctx, args, stdout, check, func(db Store, pos []string, out cli.Output) error {
		u, err := service.New(db, nil).CreateOperator(cliActor(ctx), pos[0], *name, password)
		if err != nil {
			return err
		}
		return out.Result(u, func(w io.Writer) {
			fmt.Fprintf(w, "Operator %d (%s) created: log in to the portal's /operator area.\n", u.ID, u.Email)
		})
	})
}
