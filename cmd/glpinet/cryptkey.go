package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
)

func runCryptkey(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return cli.Usagef("cryptkey needs a subcommand: %s", help.Subcommands("cryptkey"))
	}
	switch args[0] {
	case "check":
		return cryptkeyCheck(ctx, args[1:], stdout)
	case "rotate":
		return cryptkeyRotate(ctx, args[1:], stdout)
	case "create":
		return cryptkeyCreate(ctx, args[1:], stdout)
	}
	return cli.Usagef("unknown cryptkey subcommand %q: use %s", args[0], help.Subcommands("cryptkey"))
}

// loadCryptKey reads glpicrypt.key. When the file is missing, the error
// says whether the database holds encrypted values, which decides the
// remedy: restore the lost key, or create the first one. db may be nil:
// it is then opened for that, if it can be.
func loadCryptKey(ctx context.Context, in *glpihost.Install, db *glpihost.ConfigDB, s glpihost.Secrets) (glpicrypt.Key, error) {
	key, err := glpicrypt.LoadKey(in.CryptKeyPath())
	var ke *glpicrypt.KeyError
	if err == nil || !errors.As(err, &ke) || ke.Reason != "missing" {
		return key, err
	}
	if db == nil {
		if d, derr := openConfigs(ctx, in); derr == nil {
			defer d.Close()
			db = d
		}
	}
	return key, glpihost.ExplainMissingKey(ctx, db, s, err)
}

// secretFlags are the flags of the cryptkey commands: plugins declare
// encrypted values through PHP hooks glpinet cannot run, so the
// administrator names them.
type secretFlags struct {
	common
	extra []string
}

func (f *secretFlags) parse(name string, args []string) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	f.register(fs)
	fs.Func("secret", "a plugin's encrypted value too: table.column or context/name (repeatable)", func(s string) error {
		f.extra = append(f.extra, s)
		return nil
	})
	pos, err := cli.ParseFlags("glpinet", fs, args)
	if err == nil && len(pos) > 0 {
		err = cli.Usagef("%s takes no arguments", name)
	}
	return err
}

// open returns the installation, its encrypted values and its database.
func (f *secretFlags) open(ctx context.Context) (*glpihost.Install, glpihost.Secrets, *glpihost.ConfigDB, error) {
	in, err := f.install()
	if err != nil {
		return nil, glpihost.Secrets{}, nil, err
	}
	s := glpihost.SecretsFor(in.Version)
	for _, spec := range f.extra {
		if err := s.Add(spec); err != nil {
			return nil, s, nil, err
		}
	}
	db, err := openConfigs(ctx, in)
	return in, s, db, err
}

func cryptkeyCheck(ctx context.Context, args []string, stdout io.Writer) error {
	var f secretFlags
	if err := f.parse("cryptkey check", args); err != nil {
		return err
	}
	in, s, db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := loadCryptKey(ctx, in, db, s)
	if err != nil {
		return err
	}
	bad, checked, err := db.CheckEncrypted(ctx, key, s)
	if err != nil {
		return err
	}
	_, statErr := os.Lstat(in.PendingKeyPath())
	pending := !errors.Is(statErr, fs.ErrNotExist)
	// The pending key is read as rotate will read it, so that a file
	// rotate would refuse is named now.
	var pendingErr error
	if pending {
		pendingErr = in.CheckPendingKey()
	}
	// Temporary files of a key write that was killed are only clutter
	// (the write is atomic): removed unless another glpinet is at work.
	removed, err := in.CleanCryptLeftovers()
	if err != nil {
		return err
	}
	res := map[string]any{"key_file": in.CryptKeyPath(), "checked": checked, "undecryptable": bad, "interrupted_rotation": pending}
	if bad == nil {
		res["undecryptable"] = []glpihost.Undecryptable{}
	}
	if len(removed) > 0 {
		res["removed"] = removed
	}
	if err := f.out(stdout).Result(res, func(w io.Writer) {
		printRemoved(w, removed)
		if len(bad) == 0 {
			fmt.Fprintf(w, "%s is valid and decrypts every encrypted value GLPI keeps (%d checked).\n", in.CryptKeyPath(), checked)
		} else {
			fmt.Fprintf(w, "%s is a valid key, but these values do not decrypt with it (GLPI treats them as empty):\n", in.CryptKeyPath())
			for _, b := range bad {
				fmt.Fprintf(w, "  %s\n", b)
			}
		}
		if pending && pendingErr == nil {
			fmt.Fprintf(w, "%s exists: a key rotation was interrupted; run 'glpinet cryptkey rotate' to finish it.\n", in.PendingKeyPath())
		}
	}); err != nil {
		return err
	}
	if pendingErr != nil {
		return &cli.ExitError{Msg: cli.Message(pendingErr)}
	}
	if len(bad) > 0 && pending {
		return &cli.ExitError{Msg: cli.Count(len(bad), "encrypted value does", "encrypted values do") + " not decrypt with glpicrypt.key because a key rotation was interrupted: run 'glpinet cryptkey rotate' to finish it"}
	}
	if len(bad) > 0 {
		return &cli.ExitError{Msg: cli.Count(len(bad), "encrypted value was", "encrypted values were") + " made with another key: restore the key that made them, or enter them again in GLPI"}
	}
	return nil
}

func cryptkeyRotate(ctx context.Context, args []string, stdout io.Writer) error {
	var f secretFlags
	if err := f.parse("cryptkey rotate", args); err != nil {
		return err
	}
	in, s, db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := glpihost.RotateCryptKey(ctx, in, db, s, time.Now())
	if err != nil {
		// Nothing to rotate without a key: say whether to restore the
		// lost one or to create the first.
		return glpihost.ExplainMissingKey(ctx, db, s, err)
	}
	return f.out(stdout).Result(r, func(w io.Writer) {
		printRemoved(w, r.Removed)
		if r.Resumed {
			fmt.Fprintf(w, "Finished an interrupted rotation: %s now holds the key the database uses.\n", in.CryptKeyPath())
		} else {
			fmt.Fprintf(w, "%s holds a new key; %s re-encrypted in one transaction.\n", in.CryptKeyPath(), cli.Count(r.Reencrypted, "encrypted value was", "encrypted values were"))
		}
		if r.Backup != "" {
			fmt.Fprintf(w, "The previous key is kept in %s: database backups made before now need it.\n", r.Backup)
		}
		var cols []string
		for _, c := range s.Columns {
			cols = append(cols, c.String())
		}
		fmt.Fprintf(w, "Covered: glpi_configs, %s. A plugin's own encrypted values need --secret.\n", strings.Join(cols, ", "))
	})
}

// cryptkeyCreate makes the glpicrypt.key of an installation that has
// none and has never encrypted anything (see glpihost.CreateCryptKey,
// which refuses otherwise).
func cryptkeyCreate(ctx context.Context, args []string, stdout io.Writer) error {
	var f secretFlags
	if err := f.parse("cryptkey create", args); err != nil {
		return err
	}
	in, s, db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := glpihost.CreateCryptKey(ctx, in, db, s)
	if err != nil {
		return err
	}
	return f.out(stdout).Result(c, func(w io.Writer) {
		printRemoved(w, c.Removed)
		owner := ""
		if c.UID >= 0 {
			owner = fmt.Sprintf(", owner %d:%d (the configuration folder's)", c.UID, c.GID)
		}
		fmt.Fprintf(w, "Created %s: a new key, mode %s%s.\n", c.Path, c.Mode, owner)
		fmt.Fprintln(w, "Keep a copy with your backups: what GLPI encrypts from now on cannot be read without it.")
	})
}

// printRemoved names the leftovers of killed key writes that were removed.
func printRemoved(w io.Writer, removed []string) {
	for _, p := range removed {
		fmt.Fprintf(w, "Removed %s, left by a key write that was interrupted.\n", p)
	}
}
