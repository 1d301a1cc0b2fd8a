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

const usage = `glpinetd: a self-hosted GLPI Network services server

Usage:
  glpinetd serve [--addr :8080] [--public-url URL]
  glpinetd account create NAME | list [--name TEXT] | suspend ID | activate ID
  glpinetd key issue --account ID [--label TEXT] | bulk-issue --account ID --count N --out FILE
  glpinetd key rotate ID [--grace 168h] | revoke ID | list --account ID | check KEY
  glpinetd subscription grant --account ID --offer REF [--from DATE] --until DATE | list --account ID
  glpinetd offer list
  glpinetd plugin publish ARCHIVE [--required-offers a,b] [--compatibility C] [--stability S]
                                  [--tags t,u] [--meta FILE] [--force] | list | yank KEY VERSION [--undo] | resign [--new-key]
  glpinetd audit [--action A] [--limit N]
  glpinetd operator create EMAIL [--name NAME] < password-file
  glpinetd migrate up | status                    # serve migrates too; run "up" once before a rolling upgrade
  glpinetd backup --out DIR [--no-archives]       # SQLite, online; see docs/operations.md
  glpinetd restore --from DIR [--force]            # server stopped
  glpinetd db copy --from PATH --to postgres://...  # SQLite to an empty PostgreSQL, verified; see docs/operations.md
  glpinetd db check                                # SQLite's quick_check: is the database file damaged?
  glpinetd healthcheck [--url URL] [--timeout 5s]  # exit 0 when /readyz answers 200 (container health check)

Every command takes --data DIR (default ./data, env GLPINET_DATA), --database PATH
(env GLPINET_DATABASE) and --json. Flags may come before or after arguments.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
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
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"serve":        runServe,
		"account":      runAccount,
		"key":          runKey,
		"subscription": runSubscription,
		"offer":        runOffer,
		"plugin":       runPlugin,
		"audit":        runAudit,
		"operator":     runOperator,
		"migrate":      runMigrate,
		"backup":       runBackup,
		"restore":      runRestore,
		"db":           runDB,
		"healthcheck":  runHealthcheck,
	}
	args = cli.MoveLeadingFlags(args, map[string]bool{"data": true, "database": true})
	cmd, ok := cmds[args[0]]
	if !ok {
		return fail(stdout, stderr, cli.Usagef("unknown command %q", args[0]))
	}
	if err := cmd(ctx, args[1:], stdout, stderr); err != nil {
		return fail(stdout, stderr, err)
	}
	return 0
}

// sub dispatches "glpinetd NOUN VERB ...".
func sub(ctx context.Context, noun string, args []string, stdout, stderr io.Writer,
	verbs map[string]func(context.Context, []string, io.Writer, io.Writer) error) error {
	if len(args) == 0 {
		return cli.Usagef("%s needs a subcommand", noun)
	}
	fn, ok := verbs[args[0]]
	if !ok {
		return cli.Usagef("unknown command %q %q", noun, args[0])
	}
	return fn(ctx, args[1:], stdout, stderr)
}
