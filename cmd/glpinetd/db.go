package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/glpinet/glpinet/dbcopy"
	"github.com/glpinet/glpinet/internal/cli"
)

func runDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "db", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"copy": dbCopy,
	})
}

// dbCopyResult is what db copy prints as JSON.
type dbCopyResult struct {
	*dbcopy.Result
	RowsPerSecond float64 `json:"rows_per_second"`
}

// dbCopy is "glpinetd db copy --from PATH --to postgres://…": moving from
// one machine to replicas on PostgreSQL (see package dbcopy and
// docs/operations.md).
func dbCopy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("db copy", flag.ContinueOnError)
	data := fs.String("data", cli.Env("GLPINET_DATA", "data"), "data directory whose glpinet.db --from defaults to (env GLPINET_DATA)")
	from := fs.String("from", "", "the SQLite database to copy: PATH or sqlite:PATH (default DATA/glpinet.db); only read, may be in use")
	to := fs.String("to", "", "the PostgreSQL database to fill: postgres://user:password@host/db (required; must hold no data)")
	tmp := fs.String("tmp", "", "directory for the snapshot of --from, which needs room for a copy of it (default $TMPDIR or /tmp)")
	jsonOut := fs.Bool("json", false, "print results as JSON")
	pos, err := cli.ParseFlags("glpinetd", fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *to == "" {
		return cli.Usagef("db copy takes --to postgres://… and --from PATH (default DATA/glpinet.db)")
	}
	if !isPostgres(*to) {
		return cli.Usagef("db copy copies into PostgreSQL: --to must be a postgres:// URL")
	}
	src := strings.TrimPrefix(strings.TrimPrefix(*from, "sqlite://"), "sqlite:")
	if src == "" {
		src = filepath.Join(*data, "glpinet.db")
	}
	if isPostgres(src) {
		return cli.Usagef("db copy copies from SQLite: --from must be a file path")
	}

	var progress *cli.Progress
	var shown int64
	res, err := dbcopy.Copy(ctx, dbcopy.Options{From: src, To: *to, TempDir: *tmp,
		Progress: func(done, total int64) {
			if progress == nil {
				progress = cli.NewProgress(stderr, total, "copying rows")
			}
			progress.Add(done - shown)
			shown = done
		}})
	if progress != nil {
		progress.Done()
	}
	if err != nil {
		return err
	}
	out := dbCopyResult{Result: res, RowsPerSecond: res.RowsPerSecond()}
	return cli.Output{W: stdout, JSON: *jsonOut}.Result(out, func(w io.Writer) {
		fmt.Fprintf(w, "Copied %s to %s in %s: %d rows, schema version %d.\n", res.From, res.To, roundDuration(res.Total), res.Rows, res.SchemaVersion)
		fmt.Fprintf(w, "snapshot %s, copy %s (%.0f rows/s), verification %s.\n\n",
			roundDuration(res.Snapshot), roundDuration(res.Copy), out.RowsPerSecond, roundDuration(res.Verify))
		fmt.Fprintf(w, "TABLE\tSOURCE\tTARGET\tVERIFIED\n")
		for _, t := range res.Tables {
			if !t.Copied {
				fmt.Fprintf(w, "%s\t%d\t-\t%s\n", t.Name, t.SourceRows, t.Note)
				continue
			}
			fmt.Fprintf(w, "%s\t%d\t%d\trow count and %s\n", t.Name, t.SourceRows, t.TargetRows, cli.Count(len(t.Checks), "column", "columns"))
		}
		fmt.Fprintf(w, "\nNext: start the replicas with --database %s (and the same signing.key and archives; see docs/operations.md).\n", res.To)
	})
}

// roundDuration keeps durations readable: milliseconds under a minute,
// tenths of a second above.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
