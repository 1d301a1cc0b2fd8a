// Command glpinet is the GLPI administrator's tool, run on the GLPI host:
// it points GLPI at a glpinet server, checks GLPI's encryption key and
// diagnoses why registration or the marketplace fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/internal/version"
	"github.com/go-sql-driver/mysql"
)

func main() {
	// The MySQL driver logs connection failures to stderr on its own;
	// they come back as errors too, reported once with a remedy.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" && len(args) == 1 {
		fmt.Fprint(stdout, help.Text())
		return 0
	}
	if v := args[0]; v == "--version" || v == "-version" || v == "version" { // before the commands: it needs no data or config
		if len(args) > 1 && args[1] == "--json" {
			fmt.Fprintf(stdout, "%s\n", version.JSON())
		} else {
			fmt.Fprintln(stdout, version.Line("glpinet"))
		}
		return 0
	}
	if args[0] == "help" { // "glpinet help key set" is "glpinet key set -h"
		args = append(args[1:len(args):len(args)], "-h")
	}
	args = cli.MoveLeadingFlags(args, map[string]bool{"glpi-root": true})
	if err := checkGroup(args); err != nil {
		return cli.Fail("glpinet", stdout, stderr, err, remedy)
	}
	cmds := map[string]func(context.Context, []string, io.Writer) error{
		"configure": runConfigure,
		"cryptkey":  runCryptkey,
		"key":       runKey,
		"doctor":    runDoctor,
		"completion": func(ctx context.Context, args []string, stdout io.Writer) error {
			return runCompletion(ctx, args, stdout)
		},
		"plugins": func(ctx context.Context, args []string, stdout io.Writer) error {
			return runPlugins(ctx, args, stdout, stderr)
		},
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return cli.Fail("glpinet", stdout, stderr, cli.Usagef("unknown command %q", args[0]), remedy)
	}
	if err := cmd(ctx, args[1:], stdout); err != nil {
		return cli.Fail("glpinet", stdout, stderr, err, remedy)
	}
	return 0
}

// checkGroup answers a command group ("glpinet key") given no subcommand,
// -h or an unknown one, with the subcommands that exist.
func checkGroup(args []string) error {
	noun := args[0]
	if len(help.Group(noun)) == 0 {
		return nil
	}
	switch {
	case len(args) == 1:
		return cli.Usagef("%s needs a subcommand: %s", noun, help.Subcommands(noun))
	case args[1] == "-h" || args[1] == "--help" || args[1] == "help":
		return &cli.HelpRequest{Text: help.GroupText(noun)}
	case help.Find(noun+" "+args[1]) == nil && !(noun == "plugins" && args[1] == "install"):
		return cli.Usagef("unknown command %q %q: choose %s", noun, args[1], help.Subcommands(noun))
	}
	return nil
}

// runCompletion prints a shell's completion script (see
// cli.Help.RunCompletion).
func runCompletion(ctx context.Context, args []string, stdout io.Writer) error {
	return help.RunCompletion(args, stdout, func(a []string) { run(ctx, a, io.Discard, io.Discard) })
}

// remedy says what to do about an error.
func remedy(err error) string {
	var ke *glpicrypt.KeyError
	// glpihost's refusals that know their remedy: a pending rotation, a
	// missing key file, a key that cryptkey create will not make.
	var known interface{ Remedy() string }
	var se *serverError
	switch {
	case errors.As(err, &se):
		return networkRemedy
	case errors.As(err, &known):
		return known.Remedy()
	case errors.As(err, &ke):
		return "restore config/glpicrypt.key from a backup and check it with 'glpinet cryptkey check'; never let GLPI regenerate it while encrypted values exist"
	case glpinet.ErrorCode(err) == glpinet.EUNAVAILABLE:
		return "check config/config_db.php and that the database answers"
	case glpinet.ErrorCode(err) == glpinet.EINVALID:
		return "check --glpi-root and the files named above"
	}
	return "fix the cause above and run the command again"
}

// networkRemedy is what to do when the services server gave no usable
// answer: the URL, the proxy, then the doctor, which tests each step.
const networkRemedy = "check the services URL (glpinet configure --server URL) and GLPI's proxy (Setup > General > Proxy), then run glpinet doctor"

// common are the flags of every command.
type common struct {
	root string
	json bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.root, "glpi-root", cli.Env("GLPI_ROOT", "."), "the GLPI installation `DIR` (env GLPI_ROOT)")
	fs.BoolVar(&c.json, "json", false, "print results as JSON")
}

func (c *common) install() (*glpihost.Install, error) {
	return glpihost.Open(c.root, os.Getenv)
}

func (c *common) out(w io.Writer) cli.Output { return cli.Output{W: w, JSON: c.json} }
