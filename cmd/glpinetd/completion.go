package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/glpinet/glpinet/internal/cli"
)

// runCompletion prints a shell's completion script. Every command is asked
// for its help first, so that the script completes its flags too.
func runCompletion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		return &cli.HelpRequest{Text: fmt.Sprintf("Usage: glpinetd completion bash|zsh|fish\n\n%s\n\nExample:\n  %s\n",
			help.Find("completion").Summary, help.Find("completion").Example)}
	}
	if len(args) != 1 {
		return cli.Usagef("completion takes one shell: %s", strings.Join(cli.Shells, ", "))
	}
	for _, c := range help.Commands {
		if c.Name != "completion" {
			run(ctx, append(strings.Fields(c.Name), "-h"), io.Discard, io.Discard)
		}
	}
	script, err := help.Completion(args[0])
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, script)
	return err
}
