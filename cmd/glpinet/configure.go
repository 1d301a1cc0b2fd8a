package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
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
func runConfigure(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("configure", flag.ContinueOnError)
	var c common
	c.register(fs)
	server := fs.String("server", "", "the services server's URL, e.g. https://glpinet.example.com (required)")
	if _, err := cli.ParseFlags("glpinet", fs, args); err != nil {
		return err
	}
	u, err := url.Parse(strings.TrimSpace(*server))
	if *server == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return cli.Usagef("--server needs the server's root URL, like https://glpinet.example.com (no path)")
	}
	value := u.Scheme + "://" + u.Host
	in, err := c.install()
	if err != nil {
		return err
	}
	path := in.LocalDefinePath()
	src, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	existed := err == nil
	// Refuse to edit a file we cannot read reliably: the new line could
	// land inside an unterminated string or comment.
	if _, err := glpihost.Defines(src); err != nil {
		return glpinet.Errorf(glpinet.EINVALID, "%s does not parse (%v): fix it by hand first", path, err)
	}
	out, changed := glpihost.SetDefine(src, serverDefine, value)
	res := configureResult{File: path, Server: value, Changed: changed}
	if changed {
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
