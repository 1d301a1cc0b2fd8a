package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/cache"
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
	raw, err := glpinet.GenerateKey()
	if err != nil {
		return "", nil, err
	}
	return raw, &glpinet.RegistrationKey{AccountID: accountID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw), Label: label}, nil
}

// issuedKey is the JSON of a new key: the only time the key is shown.
type issuedKey struct {
	Key string `json:"key"`
	*glpinet.RegistrationKey
}

func keyIssue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("key issue", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	account := fs.Int64("account", 0, "account ID (required)")
	label := fs.String("label", "", "a note to tell keys apart, e.g. the GLPI instance it is for")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *account <= 0 {
		return usagef("key issue needs --account ID")
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	raw, k, err := newKey(*account, *label)
	if err != nil {
		return err
	}
	if err := db.CreateKey(cliActor(ctx), k); err != nil {
		return err
	}
	return output{stdout, sf.json}.result(issuedKey{raw, k}, func(w io.Writer) {
		fmt.Fprintf(w, "%s\n\nKey %d for account %d. It is shown only now: copy it into GLPI\n(Setup > General > GLPI Network > Registration key) or keep it safe.\n", raw, k.ID, k.AccountID)
	})
}

func keyBulkIssue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("key bulk-issue", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	account := fs.Int64("account", 0, "account ID (required)")
	count := fs.Int("count", 0, "how many keys (required)")
	out := fs.String("out", "", "file to write the keys to, one per line (required; created, never overwritten)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *count <= 0 || *out == "" {
		return usagef("key bulk-issue needs --account ID --count N --out FILE")
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.FindAccountByID(ctx, *account); err != nil {
		return err
	}
	// Write to a temporary file first: the keys exist only there, so the
	// file must be complete before any key is stored.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".keys-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	bw := bufio.NewWriter(tmp)
	const batch = 50_000
	progress := newProgress(stderr, *count, "issuing keys")
	for done := 0; done < *count; done += batch {
		n := min(batch, *count-done)
		keys := make([]*glpinet.RegistrationKey, n)
		for i := range keys {
			raw, k, err := newKey(*account, "bulk")
			if err != nil {
				return err
			}
			keys[i] = k
			fmt.Fprintln(bw, raw)
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if err := tmp.Sync(); err != nil {
			return err
		}
		if done == 0 {
			if err := os.Link(tmp.Name(), *out); err != nil {
				return fmt.Errorf("create %s: %w", *out, err)
			}
		}
		if err := db.CreateKeys(cliActor(ctx), keys); err != nil {
			return err
		}
		progress.add(n)
	}
	progress.done()
	if err := tmp.Close(); err != nil {
		return err
	}
	return output{stdout, sf.json}.result(map[string]any{"account_id": *account, "count": *count, "file": *out}, func(w io.Writer) {
		fmt.Fprintf(w, "Issued %d keys for account %d into %s (mode 0600).\n", *count, *account, *out)
	})
}

func keyRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("key rotate", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	grace := fs.Duration("grace", glpinet.DefaultRotationGrace, "how long the old key keeps working")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("key rotate takes one key ID")
	}
	id, err := parseID(pos[0], "key")
	if err != nil {
		return err
	}
	if *grace < 0 {
		return usagef("--grace cannot be negative")
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	raw, next, err := newKey(0, "")
	if err != nil {
		return err
	}
	until := time.Now().Add(*grace)
	if err := db.RotateKey(cliActor(ctx), id, next, until); err != nil {
		return err
	}
	return output{stdout, sf.json}.result(map[string]any{"key": raw, "id": next.ID, "replaces": id, "old_key_valid_until": until.UTC()}, func(w io.Writer) {
		fmt.Fprintf(w, "%s\n\nKey %d replaces key %d, which keeps working until %s.\nThe new key is shown only now.\n", raw, next.ID, id, until.UTC().Format(time.RFC1123))
	})
}

func keyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("key revoke", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("key revoke takes one key ID")
	}
	id, err := parseID(pos[0], "key")
	if err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeKey(cliActor(ctx), id); err != nil {
		return err
	}
	return output{stdout, sf.json}.result(map[string]any{"id": id, "revoked": true}, func(w io.Writer) {
		fmt.Fprintf(w, "Key %d is revoked. Running servers refuse it within a second; GLPI instances\nthat cached a valid answer notice at their next check (at most a day).\n", id)
	})
}

func keyList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("key list", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	account := fs.Int64("account", 0, "account ID (required)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *account <= 0 {
		return usagef("key list needs --account ID")
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := db.ListKeys(ctx, *account)
	if err != nil {
		return err
	}
	if keys == nil {
		keys = []*glpinet.RegistrationKey{}
	}
	return output{stdout, sf.json}.result(keys, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tPREFIX\tLABEL\tCREATED\tSTATE")
		for _, k := range keys {
			fmt.Fprintf(w, "%d\t%s…\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Label, glpinet.FormatDate(k.CreatedAt), keyState(k))
		}
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
	fs := flag.NewFlagSet("key check", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("key check takes one KEY")
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := cache.NewValidator(db, time.Now, nil).Validate(ctx, pos[0])
	if err != nil {
		return err
	}
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
	return output{stdout, sf.json}.result(res, func(w io.Writer) {
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
}
