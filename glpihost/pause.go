package glpihost

import (
	"context"
	"fmt"
	"os"
)

// PauseEnv names the environment variable that makes glpinet stop at a
// named step of a multi-step change (rotate-pending-written,
// rotate-updated, rotate-committed, rotate-key-replaced,
// plugin-extracted), so that crash tests can SIGKILL the real process at
// that exact point. For tests only: it is never set in production, and a
// name that matches no step changes nothing.
const PauseEnv = "GLPINET_TEST_PAUSE_AT"

// pauseAt waits at step when PauseEnv names it, until ctx ends (SIGINT
// or SIGTERM) or the process is killed, and says so on stderr for the
// test to see.
func pauseAt(ctx context.Context, step string) error {
	if os.Getenv(PauseEnv) != step {
		return nil
	}
	fmt.Fprintf(os.Stderr, "glpinet: paused at %s (%s, tests only)\n", step, PauseEnv)
	<-ctx.Done()
	return ctx.Err()
}
