package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/postgres"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/pressly/goose/v3"
)

// migrationRow is one migration as the migrate commands print it.
type migrationRow struct {
	Version   int64      `json:"version"`
	Name      string     `json:"name"`
	State     string     `json:"state"`
	AppliedAt *time.Time `json:"applied_at,omitempty"`
	Duration  string     `json:"duration,omitempty"`
}

// runMigrate is "glpinetd migrate up|status". serve applies migrations
// itself; running "migrate up" first lets an operator upgrade the schema
// once, before rolling new replicas out, and see what changed.
func runMigrate(ctx context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		return &cli.HelpRequest{Text: help.GroupText("migrate")}
	}
	if len(args) == 0 {
		return cli.Usagef("migrate needs a subcommand: %s", help.Subcommands("migrate"))
	}
	if args[0] != "up" && args[0] != "status" {
		return cli.Usagef("unknown command \"migrate\" %q: choose %s", args[0], help.Subcommands("migrate"))
	}
	sub := args[0]
	fs := flag.NewFlagSet("migrate "+sub, flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	pos, err := cli.ParseFlags("glpinetd", fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return cli.Usagef("migrate %s takes no arguments", sub)
	}
	var rows []migrationRow
	if sub == "up" {
		res, err := migrateUp(ctx, &sf)
		if err != nil {
			return err
		}
		for _, r := range res {
			rows = append(rows, migrationRow{Version: r.Source.Version, Name: filepath.Base(r.Source.Path), State: "applied now", Duration: r.Duration.Round(time.Millisecond).String()})
		}
	} else {
		st, err := migrationStatus(ctx, &sf)
		if err != nil {
			return err
		}
		for _, s := range st {
			row := migrationRow{Version: s.Source.Version, Name: filepath.Base(s.Source.Path), State: string(s.State)}
			if !s.AppliedAt.IsZero() {
				at := s.AppliedAt.UTC()
				row.AppliedAt = &at
			}
			rows = append(rows, row)
		}
	}
	if rows == nil {
		rows = []migrationRow{}
	}
	return cli.Output{W: stdout, JSON: sf.json}.Result(map[string]any{"database": sf.describe(), "migrations": rows}, func(w io.Writer) {
		if sub == "up" && len(rows) == 0 {
			fmt.Fprintf(w, "%s is up to date.\n", sf.describe())
			return
		}
		fmt.Fprintf(w, "%s:\n", sf.describe())
		for _, r := range rows {
			when := r.Duration
			if r.AppliedAt != nil {
				when = r.AppliedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "  %05d\t%s\t%s\t%s\n", r.Version, r.Name, r.State, when)
		}
	})
}

func migrateUp(ctx context.Context, sf *storeFlags) ([]*goose.MigrationResult, error) {
	if isPostgres(sf.database) {
		return postgres.Migrate(ctx, sf.database)
	}
	return sqlite.Migrate(ctx, sf.sqlitePath())
}

func migrationStatus(ctx context.Context, sf *storeFlags) ([]*goose.MigrationStatus, error) {
	if isPostgres(sf.database) {
		return postgres.MigrationStatus(ctx, sf.database)
	}
	return sqlite.MigrationStatus(ctx, sf.sqlitePath())
}
