package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/internal/hostfile"
)

// serverDefine is the constant that re-points registration and the
// marketplace at once (GLPI derives the other URLs from it).
const serverDefine = "GLPI_NETWORK_SERVICES"

type configureResult struct {
	File    string `json:"file"`
	Server  string `json:"server"`
	Changed bool   `json:"changed"`
	Backup  string `json:"backup,omitempty"`
}

// runConfigure sets GLPI_NETWORK_SERVICES in local_define.php: created if
// missing, other content kept, idempotent, written atomically with a backup.
//
// glpinet runs as root, and the configuration directory belongs to the web
// server's user, so local_define.php is treated as hostile: it is read
// without following a symbolic link (a link there could make a root run
// rewrite, or copy out, any file), the edit is refused where glpinet
// cannot be sure PHP runs it (glpihost.SetDefine), the result is linted
// by "php -l" when php is installed (which parses without running: the
// file is the web user's, running it as root would hand them root), and
// a read-only file is replaced only with --force.
//
// The configuration directory itself may be a symbolic link, and is
// followed: it is an entry of the GLPI root (root's, not the web user's),
// and distributions link it to /etc/glpi on purpose; likewise a
// GLPI_CONFIG_DIR from inc/downstream.php comes from a root-owned file. A
// GLPI_CONFIG_DIR from config/local_define.php is the web user's choice,
// but it is where GLPI itself reads its configuration, and all that
// glpinet can be steered to write there is a file named local_define.php,
// never through a link.
func runConfigure(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("configure", flag.ContinueOnError)
	var c common
	c.register(fs)
	server := fs.String("server", "", "the services server's `URL`, e.g. https://glpinet.example.com (required)")
	force := fs.Bool("force", false, "replace local_define.php even if it is read-only (its mode is kept)")
	if _, err := cli.ParseFlags("glpinet", fs, args); err != nil {
		return err
	}
	value, err := cli.ServerURL("server", *server, false)
	if err != nil {
		return err
	}
	in, err := c.install()
	if err != nil {
		return err
	}
	path := in.LocalDefinePath()
	src, existed, err := readLocalDefine(path, *force)
	if err != nil {
		return err
	}
	out, changed, err := glpihost.SetDefine(src, serverDefine, value)
	if err != nil {
		return glpinet.Errorf(glpinet.EINVALID, "%s: %s", path, glpinet.ErrorMessage(err))
	}
	res := configureResult{File: path, Server: value, Changed: changed}
	if changed {
		if err := phpLint(ctx, out); err != nil {
			return glpinet.Errorf(glpinet.EINVALID, "%s was left unchanged: the edited file would not parse (%v); edit it by hand", path, err)
		}
		perm := os.FileMode(0o644)
		if res.Backup, err = glpihost.WriteFileAtomic(path, out, perm, existed, time.Now()); err != nil {
			return err
		}
	}
	return c.out(stdout).Result(res, func(w io.Writer) {
		switch {
		case !changed:
			fmt.Fprintf(w, "%s already points GLPI at %s: nothing to do.\n", path, value)
		case res.Backup != "":
			fmt.Fprintf(w, "GLPI now uses %s (%s; previous version kept as %s).\n", value, path, res.Backup)
		default:
			fmt.Fprintf(w, "GLPI now uses %s (%s created).\n", value, path)
		}
		if value[:5] == "http:" {
			fmt.Fprintln(w, "Warning: over plain http the registration key travels in clear.")
		}
	})
}

// localDefineLimit bounds local_define.php: a few hundred bytes as
// administrators write it.
const localDefineLimit = 256 << 10

// readLocalDefine reads local_define.php for editing: a regular file,
// not a link, writable unless force. A missing file reads as empty.
func readLocalDefine(path string, force bool) (src []byte, existed bool, err error) {
	src, err = hostfile.ReadNoFollow(path, localDefineLimit)
	var he *hostfile.Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case errors.As(err, &he) && errors.Is(err, hostfile.ErrNotRegular):
		return nil, false, glpinet.Errorf(glpinet.EINVALID,
			"%s is a %s, not a regular file: glpinet does not write through it; replace it with a plain file (or remove it) and run glpinet configure again.", path, he.Kind)
	case he != nil:
		return nil, false, glpinet.Errorf(glpinet.EINVALID, "%s.", he.Error())
	case err != nil:
		return nil, false, err
	}
	if st, err := os.Lstat(path); err == nil && st.Mode().Perm()&0o200 == 0 && !force {
		return nil, false, glpinet.Errorf(glpinet.EINVALID,
			"%s is read-only (mode %04o), so someone keeps it from changing on purpose; make it writable (chmod u+w %s) or pass --force to replace it anyway, keeping its mode.", path, st.Mode().Perm(), path)
	}
	return src, true, nil
}

// phpLint checks that src parses, with "php -n -l" reading it on standard
// input: lint mode compiles without running anything, and -n keeps any
// php.ini (auto_prepend_file...) out. Without php on the host there is
// nothing to ask, and glpihost's own check of the result stands.
func phpLint(ctx context.Context, src []byte) error {
	php, err := exec.LookPath("php")
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, php, "-n", "-l")
	cmd.Stdin = bytes.NewReader(src)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		line := strings.TrimSpace(strings.SplitN(strings.TrimSpace(string(msg)), "\n", 2)[0])
		return fmt.Errorf("php -l: %s", line)
	}
	return nil
}
