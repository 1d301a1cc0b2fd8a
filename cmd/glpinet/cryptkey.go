package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
)

func runCryptkey(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return cli.Usagef("cryptkey needs a subcommand: check")
	}
	fs := flag.NewFlagSet("cryptkey check", flag.ContinueOnError)
	var c common
	c.register(fs)
	if _, err := cli.ParseFlags("glpinet", fs, args[1:]); err != nil {
		return err
	}
	in, err := c.install()
	if err != nil {
		return err
	}
	key, err := glpicrypt.LoadKey(in.CryptKeyPath())
	if err != nil {
		return err
	}
	db, err := openConfigs(ctx, in)
	if err != nil {
		return err
	}
	defer db.Close()
	bad, err := db.CheckEncrypted(ctx, key)
	if err != nil {
		return err
	}
	res := map[string]any{"key_file": in.CryptKeyPath(), "undecryptable": bad}
	if bad == nil {
		res["undecryptable"] = []glpihost.Undecryptable{}
	}
	if err := c.out(stdout).Result(res, func(w io.Writer) {
		if len(bad) == 0 {
			fmt.Fprintf(w, "%s is valid and decrypts every encrypted value GLPI keeps.\n", in.CryptKeyPath())
			return
		}
		fmt.Fprintf(w, "%s is a valid key, but these values do not decrypt with it (GLPI treats them as empty):\n", in.CryptKeyPath())
		for _, b := range bad {
			fmt.Fprintf(w, "  %s / %s\n", b.Context, b.Name)
		}
	}); err != nil {
		return err
	}
	if len(bad) > 0 {
		return &cli.ExitError{Msg: fmt.Sprintf("%d encrypted values were made with another key: restore the key that made them, or enter them again in GLPI", len(bad))}
	}
	return nil
}
