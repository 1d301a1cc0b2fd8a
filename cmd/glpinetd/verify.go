package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/service"
)

// verifyResult is what user verify prints with --json.
type verifyResult struct {
	ID              int64      `json:"id"`
	Email           string     `json:"email"`
	EmailVerifiedAt *time.Time `json:"email_verified_at"`
	// Changed is false when the address was already verified.
	Changed bool `json:"changed"`
}

// userVerify is `user verify EMAIL`: whoever runs the server vouches for
// a user's e-mail address (a customer who never got the mail, a server
// without --smtp), and the user may issue keys at once.
func userVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const name = "user verify"
	c := newDBCommand(name)
	return c.run(ctx, args, stdout, nArgs(1, name+" takes one EMAIL"), func(db Store, pos []string, out cli.Output) error {
		u, changed, err := service.New(db, nil).MarkVerified(cliActor(ctx), pos[0])
		if err != nil {
			return err
		}
		res := verifyResult{ID: u.ID, Email: u.Email, EmailVerifiedAt: u.EmailVerifiedAt, Changed: changed}
		return out.Result(res, func(w io.Writer) {
			who := fmt.Sprintf("%s (user %d)", u.Email, u.ID)
			if !changed {
				fmt.Fprintf(w, "%s was already verified, since %s; nothing changed.\n", who, u.EmailVerifiedAt.UTC().Format("2006-01-02"))
				return
			}
			fmt.Fprintf(w, "%s is verified: they may issue registration keys.\n", who)
		})
	})
}
