// Command glpinetd is the glpinet services server: the GLPI Network API an
// unmodified GLPI uses, and the operator commands that manage its data.
package main

import (
	"context"
	"fmt"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/internal/version"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" && len(args) == 1 {
		fmt.Fprint(stdout, help.Text())
		return 0
	}
	if v := args[0]; v == "--version" || v == "-version" || v == "version" { // before the commands: it needs no data or config
		if len(args) > 1 && args[1] == "--json" {
			fmt.Fprintf(stdout, "%s\n", version.JSON())
		} else {
			fmt.Fprintln(stdout, version.Line("glpinetd"))
		}
		return 0
	}
	if args[0] == "help" { // "glpinetd help key rotate" is "glpinetd key rotate -h"
		args = append(args[1:len(args):len(args)], "-h")
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"serve":        runServe,
		"config":       runConfig,
		"account":      runAccount,
		"key":          runKey,
		"subscription": runSubscription,
		"offer":        runOffer,
		"request":      runRequest,
		"plugin":       runPlugin,
		"audit":        runAudit,
		"operator":     runOperator,
		"migrate":      runMigrate,
		"backup":       runBackup,
		"restore":      runRestore,
		"db":           runDB,
		"healthcheck":  runHealthcheck,
		"user":         runUser,
		"completion":   runCompletion,
		"mail":         runMail,
	}
	args = cli.MoveLeadingFlags(args, map[string]bool{"data": true, "database": true})
	for name := range cmds {
		if help.Find(name) == nil && len(help.Group(name)) == 0 { // caught by TestEveryCommandHasHelp
			return fail(args, stdout, stderr, fmt.Errorf("internal: %s has no help in help.go", name))
		}
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return fail(args, stdout, stderr, cli.Usagef("unknown command %q", args[0]))
	}
	if err := cmd(ctx, args[1:], stdout, stderr); err != nil {
		return fail(args, stdout, stderr, err)
	}
	return 0
}

// sub dispatches "glpinetd NOUN VERB ...".
func sub(ctx context.Context, noun string, args []string, stdout, stderr io.Writer,
	verbs map[string]func(context.Context, []string, io.Writer, io.Writer) error) error {
	for verb := range verbs {
		if help.Find(noun+" "+verb) == nil { // caught by TestEveryCommandHasHelp
			return fmt.Errorf("internal: %s %s has no help in help.go", noun, verb)
		}
	}
	if len(args) == 0 {
		return cli.Usagef("%s needs a subcommand: %s", noun, help.Subcommands(noun))
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		return &cli.HelpRequest{Text: help.GroupText(noun)}
	}
	fn, ok := verbs[args[0]]
	if !ok {
		return cli.Usagef("unknown command %q %q: choose %s", noun, args[0], help.Subcommands(noun))
	}
	return fn(ctx, args[1:], stdout, stderr)
}
