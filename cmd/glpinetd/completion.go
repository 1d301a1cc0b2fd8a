package main

import (
	"context"
	"io"
)

// runCompletion prints a shell's completion script (see
// cli.Help.RunCompletion).
func runCompletion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return help.RunCompletion(args, stdout, func(a []string) { run(ctx, a, io.Discard, io.Discard) })
}
