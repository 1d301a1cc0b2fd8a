package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/dbcopy"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/sqlite"
)

func runDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "db", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"copy":  dbCopy,
		"check": dbCheck,
	})
}

// dbCheckResult is what db check prints.
type dbCheckResult struct {
	Database   string  `json:"database"`
	Size       int64   `json:"size"`
	OK         bool    `json:"ok"`
	Problem    string  `json:"problem,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// dbCheck is "glpinetd db check": SQLite's quick_check on the database
// file, which may be in use by a running server (it only reads). A damaged
// file makes it exit 1 with what to do.
func dbCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("db check", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	pos, err := cli.ParseFlags("glpinetd", fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return cli.Usagef("db check takes no argument: it checks --database (default DATA/glpinet.db)")
	}
	if isPostgres(sf.database) {
		return glpinet.Errorf(glpinet.ENOTIMPLEMENTED, "glpinetd db check checks a SQLite file; check PostgreSQL with its own tools (pg_amcheck)")
	}
	path := sf.sqlitePath()
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("there is no database at %s: check --data or --database", path)
	}
	start := time.Now()
	err = sqlite.CheckFile(ctx, path)
	res := dbCheckResult{Database: path, Size: fi.Size(), OK: err == nil, DurationMS: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil && glpinet.ErrorCode(err) != glpinet.EINTERNAL {
		return err // it could not run
	} else if err != nil {
		res.Problem = cli.Message(err)
		if !sf.json {
			// The one line of the failure says it all.
			return &cli.ExitError{Msg: res.Problem}
		}
	}
	if perr := (cli.Output{W: stdout, JSON: sf.json}).Result(res, func(w io.Writer) {
		fmt.Fprintf(w, "%s (%s) is sound: quick_check found no damage in %s.\n", path, sizeText(res.Size), roundDuration(time.Since(start)))
	}); perr != nil {
		return perr
	}
	if err != nil {
		return &cli.ExitError{Msg: res.Problem}
	}
	return nil
}

// databaseCheckInterval is how often a running server checks its SQLite
// file, after the check at start.
const databaseCheckInterval = 10 * time.Minute

// checker is a store that checks its own file (SQLite's quick_check).
type checker interface {
	Check(ctx context.Context) error
}

// checkDatabase runs the store's check, if it has one, and logs the
// verdict. A damaged database does not stop the server: Ping, and so
// /readyz, report it (a load balancer takes the replica out, the operator
// reads why), while what the server holds in memory still answers.
func (m *Main) checkDatabase(ctx context.Context) {
	c, ok := m.DB.(checker)
	if !ok {
		return
	}
	start := time.Now()
	if err := c.Check(ctx); err != nil {
		if ctx.Err() == nil {
			m.Logger.Error("database check failed", "err", cli.Message(err))
		}
		return
	}
	m.Logger.Info("database file checked: no damage", "took", time.Since(start).Round(time.Millisecond))
}

// checkDatabaseEvery runs checkDatabase every interval until ctx is done.
func (m *Main) checkDatabaseEvery(ctx context.Context, interval time.Duration) {
	if _, ok := m.DB.(checker); !ok {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.checkDatabase(ctx)
		}
	}
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
	archives := fs.String("archives", "", "archive folder whose files go into the database, so that replicas need no shared disk (default: archives next to --from)")
	noArchives := fs.Bool("no-archives", false, "leave the archive files out (replicas upload them from their own data folders when they start)")
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

	archiveDir := *archives
	switch {
	case *noArchives:
		archiveDir = ""
	case archiveDir == "":
		archiveDir = filepath.Join(filepath.Dir(src), "archives")
	}

	var progress *cli.Progress
	var shown int64
	res, err := dbcopy.Copy(ctx, dbcopy.Options{From: src, To: *to, TempDir: *tmp, ArchiveDir: archiveDir,
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
		if a := res.Archives; a.Dir != "" {
			fmt.Fprintf(w, "\nArchives: %s of %s from %s into the database in %s.\n", cli.Count(a.Copied, "file", "files"), sizeText(a.Bytes), a.Dir, roundDuration(a.Took))
			for _, m := range a.Missing {
				fmt.Fprintf(w, "  not copied (missing, or not the version's bytes): %s\n", m)
			}
		}
		fmt.Fprintf(w, "\nNext: start the replicas with --database %s (each with a copy of signing.key; see docs/operations.md).\n", res.To)
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
