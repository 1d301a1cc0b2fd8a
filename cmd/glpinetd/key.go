package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/cache"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/service"
)

func runKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "key", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"issue":      keyIssue,
		"bulk-issue": keyBulkIssue,
		"rotate":     keyRotate,
		"revoke":     keyRevoke,
		"list":       keyList,
		"check":      keyCheck,
	})
}

// newKey generates a key and the record that stores its hash.
func newKey(accountID int64, label string) (string, *glpinet.RegistrationKey, error) {
	return service.NewKey(accountID, label)
}

// issuedKey is the JSON of a new key: the only time the key is shown.
type issuedKey struct {
	Key string `json:"key"`
	*glpinet.RegistrationKey
}

func keyIssue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("key issue")
	account := c.fs.Int64("account", 0, "account `ID` (required)")
	label := c.fs.String("label", "", "a note `TEXT` to tell keys apart, e.g. the GLPI instance it is for")
	return c.run(ctx, args, stdout, needAccount("key issue", account), func(db Store, _ []string, out cli.Output) error {
		issued, err := service.New(db, nil).IssueKey(cliActor(ctx), nil, *account, *label)
		if err != nil {
			return err
		}
		raw, k := issued.Key, issued.RegistrationKey
		return out.Result(issuedKey{raw, k}, func(w io.Writer) {
			fmt.Fprintf(w, "%s\n\nKey %d for account %d. It is shown only now: copy it into GLPI\n(Setup > General > GLPI Network > Registration key) or keep it safe.\n", raw, k.ID, k.AccountID)
		})
	})
}

// needAccount is a check that wants no positional argument and --account.
func needAccount(name string, account *int64) func([]string) error {
	return func(pos []string) error {
		if len(pos) != 0 || *account <= 0 {
			return cli.Usagef("%s needs --account ID (and no other argument)", name)
		}
		return nil
	}
}

func keyBulkIssue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("key bulk-issue")
	account := c.fs.Int64("account", 0, "account `ID` (required)")
	count := c.fs.Int("count", 0, "how many keys (required)")
	out := c.fs.String("out", "", "file to write the keys to, one per line (required; created with mode 0600, never overwritten).\n"+
		"It only ever holds keys the database has: each batch is written once committed. A run stopped\n"+
		"in between leaves that batch's keys in the database and in no file (nobody has them: they\n"+
		"cannot be used); running the command again with the same --out reports what happened")
	batch := c.fs.Int("batch", defaultBulkBatch, "keys per transaction")
	check := func(pos []string) error {
		if len(pos) != 0 || *account <= 0 || *count <= 0 || *out == "" {
			return cli.Usagef("key bulk-issue needs --account ID --count N --out FILE")
		}
		if *batch <= 0 {
			return cli.Usagef("--batch must be positive")
		}
		return nil
	}
	return c.run(ctx, args, stdout, check, func(db Store, _ []string, o cli.Output) error {
		if _, err := db.FindAccountByID(ctx, *account); err != nil {
			return err
		}
		if err := bulkIssue(cliActor(ctx), db, *account, *count, *batch, *out, cli.NewProgress(stderr, int64(*count), "issuing keys")); err != nil {
			return err
		}
		return o.Result(map[string]any{"account_id": *account, "count": *count, "file": *out}, func(w io.Writer) {
			fmt.Fprintf(w, "Issued %d keys for account %d into %s (mode 0600).\n", *count, *account, *out)
		})
	})
}

func keyRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("key rotate")
	grace := c.fs.Duration("grace", glpinet.DefaultRotationGrace, "how long the old key keeps working (at most 2160h, 90 days)")
	var id int64
	check := func(pos []string) error {
		if err := service.CheckRotationGrace(*grace); err != nil {
			return cli.Usagef("--grace: %s", glpinet.ErrorMessage(err))
		}
		return oneID("key", "key rotate takes one key ID", &id)(pos)
	}
	return c.run(ctx, args, stdout, check, func(db Store, _ []string, out cli.Output) error {
		issued, err := service.New(db, nil).RotateKey(cliActor(ctx), nil, id, *grace)
		if err != nil {
			return err
		}
		raw, next, until := issued.Key, issued.RegistrationKey, *issued.OldKeyValidUntil
		return out.Result(map[string]any{"key": raw, "id": next.ID, "replaces": id, "old_key_valid_until": until.UTC()}, func(w io.Writer) {
			fmt.Fprintf(w, "%s\n\nKey %d replaces key %d, which keeps working until %s.\nThe new key is shown only now.\n", raw, next.ID, id, until.UTC().Format(time.RFC1123))
		})
	})
}

func keyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("key revoke")
	var id int64
	return c.run(ctx, args, stdout, oneID("key", "key revoke takes one key ID", &id), func(db Store, _ []string, out cli.Output) error {
		if err := service.New(db, nil).RevokeKey(cliActor(ctx), id); err != nil {
			return err
		}
		return out.Result(map[string]any{"id": id, "revoked": true}, func(w io.Writer) {
			fmt.Fprintf(w, "Key %d is revoked. Running servers refuse it within a second; GLPI instances\nthat cached a valid answer notice at their next check (at most a day).\n", id)
		})
	})
}

func keyList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("key list")
	account := c.fs.Int64("account", 0, "account `ID` (required)")
	return c.run(ctx, args, stdout, needAccount("key list", account), func(db Store, _ []string, out cli.Output) error {
		keys, err := glpinet.All(func(p glpinet.Page) ([]*glpinet.RegistrationKey, string, error) { return db.ListKeys(ctx, *account, p) })
		if err != nil {
			return err
		}
		if keys == nil {
			keys = []*glpinet.RegistrationKey{}
		}
		return out.Result(keys, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tPREFIX\tLABEL\tCREATED\tSTATE")
			for _, k := range keys {
				fmt.Fprintf(w, "%d\t%s…\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Label, glpinet.FormatDate(k.CreatedAt), keyState(k))
			}
		})
	})
}

func keyState(k *glpinet.RegistrationKey) string {
	switch {
	case k.RevokedAt != nil:
		return "revoked " + glpinet.FormatDate(*k.RevokedAt)
	case k.GraceUntil != nil:
		return fmt.Sprintf("replaced by %d, valid until %s", *k.ReplacedBy, k.GraceUntil.UTC().Format(time.DateTime))
	}
	return "active"
}

func keyCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("key check")
	var key string
	check := func(pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("key check takes one KEY, or - to read it from standard input (keeps it out of the shell history)")
		}
		key = pos[0]
		if key == "-" {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && line == "" {
				return cli.Usagef("no key on standard input")
			}
			key = line
		}
		return nil
	}
	return c.run(ctx, args, stdout, check, func(db Store, pos []string, out cli.Output) (err error) {
		v, err := cache.NewValidator(db, time.Now, nil).Validate(ctx, key)
		if err != nil {
			return err
		}
		defer func() {
			if err == nil && !v.IsRunning() {
				err = &cli.ExitError{Msg: fmt.Sprintf("the key is not usable (%s)", v.Code)}
			}
		}()
		res := map[string]any{"code": v.Code, "is_valid": v.IsValid(), "is_running": v.IsRunning()}
		if v.KeyProblem != "" {
			res["problem"] = v.KeyProblem.Description()
		}
		if v.Record != nil {
			res["key_id"], res["account_id"], res["owner"] = v.Record.Key.ID, v.Record.Account.ID, v.Record.Account.Name
		}
		if v.Offer != nil {
			res["offer"] = v.Offer.Reference
		}
		err = out.Result(res, func(w io.Writer) {
			fmt.Fprintf(w, "verdict:\t%s\n", v.Code)
			if v.KeyProblem != "" {
				fmt.Fprintf(w, "problem:\t%s\n", v.KeyProblem.Description())
			}
			if v.Record != nil {
				fmt.Fprintf(w, "key:\t%d (%s…)\nowner:\t%s (account %d)\n", v.Record.Key.ID, v.Record.Key.Prefix, v.Record.Account.Name, v.Record.Account.ID)
			}
			if v.Offer != nil {
				fmt.Fprintf(w, "offer:\t%s\n", v.Offer.Reference)
			}
		})
		return err
	})
}

// stdin is where "key check -" reads the key; tests replace it.
var stdin io.Reader = os.Stdin
