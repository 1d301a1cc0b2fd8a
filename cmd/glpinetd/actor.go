package main

import (
	"context"
	"os/user"

	"github.com/glpinet/glpinet"
)

// cliActor attributes the command's changes to the operating-system user
// who ran it.
func cliActor(ctx context.Context) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return glpinet.WithActor(ctx, glpinet.CLIActor(name))
}
