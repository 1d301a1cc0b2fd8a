package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/mail"
	"github.com/glpinet/glpinet/postgres"
)

// setting is one of serve's settings as `glpinetd config` shows it.
type setting struct {
	Name   string `json:"name"`   // the flag, without dashes
	Env    string `json:"env"`    // the environment variable that sets it
	Value  string `json:"value"`  // the effective value, secrets redacted
	Source string `json:"source"` // "flag", "env", "env-file" or "default"
}

// configJSON is what `glpinetd config --json` prints.
type configJSON struct {
	Settings []setting `json:"settings"`
	// Paths are the files and folders the settings lead to.
	Paths map[string]string `json:"paths"`
	// Problem is what serve would refuse to start with, "" when nothing.
	Problem string `json:"problem,omitempty"`
}

// runConfig prints the configuration serve would run with, given the same
// flags and environment: each setting's value and where it comes from
// (a flag, the environment, a file named by NAME_FILE, or the default),
// with the database password hidden, so that what a unit file, a
// container or an env file really sets can be checked and pasted into a
// ticket. It exits non-zero when serve would refuse the settings.
func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := &Main{}
	sf := newServeFlags("config", m)
	pos, err := cli.ParseFlags("glpinetd", sf.fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return cli.Usagef("config takes no arguments (got %q); give serve's flags to see their effect", pos[0])
	}
	_, problem := sf.apply(m)
	if problem == nil {
		problem = m.checkTLSFlags()
	}
	out := configJSON{Settings: effectiveSettings(sf.fs), Paths: configPaths(m)}
	if problem != nil {
		out.Problem = cli.Message(problem)
	}
	err = cli.Output{W: stdout, JSON: m.Store.json}.Result(out, func(w io.Writer) {
		fmt.Fprintln(w, "SETTING\tVALUE\tSOURCE")
		for _, s := range out.Settings {
			v := s.Value
			if v == "" {
				v = `""`
			}
			src := s.Source
			switch src {
			case "flag":
				src = "flag --" + s.Name
			case "env":
				src = "env " + s.Env
			case "env-file":
				src = "env " + s.Env + "_FILE"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", s.Name, v, src)
		}
		fmt.Fprintln(w)
		for _, k := range []string{"database", "archives", "signing key", "temporary files", "acme cache"} {
			if p, ok := out.Paths[k]; ok {
				fmt.Fprintf(w, "%s:\t%s\n", k, p)
			}
		}
	})
	if err != nil {
		return err
	}
	if problem != nil {
		return problem
	}
	return nil
}

// effectiveSettings lists fs's flags (but --json, an output format) with
// their values and sources.
func effectiveSettings(fs *flag.FlagSet) []setting {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var out []setting
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "json" {
			return
		}
		s := setting{Name: f.Name, Env: envName(f.Name), Value: f.Value.String(), Source: "default"}
		switch {
		case given[f.Name]:
			s.Source = "flag"
		case os.Getenv(s.Env+"_FILE") != "":
			s.Source = "env-file"
		default:
			if _, ok := os.LookupEnv(s.Env); ok {
				s.Source = "env"
			}
		}
		if f.Name == "database" && isPostgres(s.Value) {
			s.Value = postgres.Redact(s.Value)
		}
		if f.Name == "smtp" && s.Value != "" {
			s.Value = mail.Redact(s.Value)
		}
		out = append(out, s)
	})
	return out
}

// envName is the environment variable of a serve flag: "max-conns" is
// GLPINET_MAX_CONNS. TestEveryServeFlagHasItsEnv keeps the flags' usage
// texts and their cli.Env calls to this rule.
func envName(flagName string) string {
	return "GLPINET_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// configPaths are the files and folders the settings lead to, absolute
// so that a relative --data is not misread from another directory.
func configPaths(m *Main) map[string]string {
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	paths := map[string]string{
		"archives":        abs(m.Store.archiveDir()),
		"signing key":     abs(m.Store.signingKeyPath()),
		"temporary files": abs(m.Store.tmpDir()),
	}
	if isPostgres(m.Store.database) {
		paths["database"] = "PostgreSQL " + m.Store.describe()
	} else {
		paths["database"] = "SQLite " + abs(m.Store.sqlitePath())
	}
	if len(m.ACME.Domains) > 0 {
		paths["acme cache"] = abs(m.acmeCacheDir())
	}
	return paths
}
