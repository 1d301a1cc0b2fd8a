package dbcopy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/postgres"
	"github.com/jackc/pgx/v5"
)

// Options say what to copy where.
type Options struct {
	// From is the SQLite database file. It is only read, and may be in use
	// by a running glpinetd.
	From string
	// To is the PostgreSQL connection string (postgres://…) of the target.
	To string
	// TempDir receives the snapshot of From for the duration of the copy;
	// it needs room for a copy of the database. "" is os.TempDir().
	TempDir string
	// ArchiveDir is the archive folder of From's data folder: every
	// version's archive file is stored in the target's archive tables
	// (glpinet.ArchiveStore), so that replicas need no shared disk. ""
	// leaves them out: replicas then upload them from their own data
	// folders when they start.
	ArchiveDir string
	// Progress, when set, is called every few thousand rows with the rows
	// copied so far and the total to copy (from the goroutine that feeds
	// the copy: one call at a time).
	Progress func(done, total int64)
}

// Table is what a copy did with one table.
type Table struct {
	Name string `json:"table"`
	// SourceRows and TargetRows count the table's rows in the snapshot of
	// the source and, after the copy, in the target.
	SourceRows int64 `json:"source_rows"`
	TargetRows int64 `json:"target_rows"`
	// Copied is false for a table a copy leaves out (see Note).
	Copied bool `json:"copied"`
	// Checks names the aggregates found equal in both databases, besides
	// the row count (e.g. "sum(id)").
	Checks []string `json:"checks,omitempty"`
	Note   string   `json:"note,omitempty"`
}

// Result reports a copy that committed.
type Result struct {
	From string `json:"from"`
	// To is the target without its password.
	To            string `json:"to"`
	SchemaVersion int64  `json:"schema_version"`
	// Tables lists every table in the order of the copy (a table after
	// those its foreign keys refer to).
	Tables []Table `json:"tables"`
	// Rows counts the rows copied, every table together.
	Rows int64 `json:"rows"`
	// Archives reports the archive files stored in the target.
	Archives Archives `json:"archives"`
	// Snapshot, Copy and Verify are the durations of the three steps;
	// Total includes connecting, migrating and committing.
	Snapshot time.Duration `json:"snapshot_ns"`
	Copy     time.Duration `json:"copy_ns"`
	Verify   time.Duration `json:"verify_ns"`
	Total    time.Duration `json:"total_ns"`
}

// RowsPerSecond is the copy's speed (the copy step alone).
func (r *Result) RowsPerSecond() float64 {
	if r.Copy <= 0 {
		return 0
	}
	return float64(r.Rows) / r.Copy.Seconds()
}

// skipped are the tables a copy leaves out, with why (see the package
// documentation).
var skipped = map[string]string{
	"changes":  "not copied: the cache feed's history; a new deployment's caches load from the database",
	"attempts": "not copied: attempt counters (login lockouts, sign-up throttling), which only last minutes",
}

// transient are the skipped tables whose rows in the target do not make it
// "hold data": a replica started against the target early counts failed
// logins there, and those counters stay valid.
var transient = map[string]bool{"attempts": true}

// replaced are the tables whose rows a target may already hold, replaced
// by the source's: postgres.Open seeds the default offers.
var replaced = map[string]bool{"offers": true}

// Copy copies the SQLite database at opts.From into the PostgreSQL database
// at opts.To, in one transaction (see the package documentation). Returns
// EINVALID (the target holds data, a bad connection string, a schema this
// build does not know) and EUNAVAILABLE (the target cannot be reached or
// locked); on any error the target holds what it held before, its schema
// migrated.
func Copy(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	cfg, err := pgx.ParseConfig(opts.To)
	if err != nil {
		// pgx redacts the password in its message.
		return nil, glpinet.Errorf(glpinet.EINVALID, "Bad PostgreSQL connection string: %v", err)
	}
	if _, err := os.Stat(opts.From); errors.Is(err, fs.ErrNotExist) {
		return nil, glpinet.Errorf(glpinet.EINVALID, "There is no SQLite database at %s: give its path with --from", opts.From)
	} else if err != nil {
		return nil, err
	}
	res := &Result{From: opts.From, To: postgres.Redact(opts.To)}

	// The target's schema first: a bad DSN or a server that does not
	// answer is found before minutes of snapshotting.
	if _, err := postgres.Migrate(ctx, opts.To); err != nil {
		return nil, err
	}
	snapStart := time.Now()
	src, cleanup, err := openSnapshot(ctx, opts.From, opts.TempDir)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	res.SchemaVersion = src.version
	res.Snapshot = time.Since(snapStart)

	conn, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, unavailable(err)
	}
	// Rolling back after a failed or cancelled COPY may itself fail (the
	// connection is closed then); PostgreSQL rolls back when the session
	// ends, which Close above makes sure of.
	defer tx.Rollback(context.WithoutCancel(ctx))

	if err := copyInTx(ctx, tx, src, opts, res); err != nil {
		return nil, err
	}
	if err := announce(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit the copy: %w", err)
	}
	res.Total = time.Since(start)
	return res, nil
}

// copyInTx does the work of Copy inside the target's transaction.
func copyInTx(ctx context.Context, tx pgx.Tx, src *source, opts Options, res *Result) error {
	tables, err := plan(ctx, tx, src)
	if err != nil {
		return err
	}
	if err := prepareTarget(ctx, tx, tables); err != nil {
		return err
	}

	// The source's aggregates first (the snapshot does not change): their
	// row counts give the progress its total.
	verifyStart := time.Now()
	want := make([][]int64, len(tables))
	var total int64
	for i, t := range tables {
		if want[i], err = src.aggregate(ctx, t); err != nil {
			return fmt.Errorf("read %s from the snapshot: %w", t.name, err)
		}
		if !t.skip {
			total += want[i][0]
		}
	}
	verify := time.Since(verifyStart)

	copyStart := time.Now()
	progress := func(int64) {}
	if opts.Progress != nil {
		progress = func(n int64) { opts.Progress(res.Rows+n, total) }
	}
	for _, t := range tables {
		if t.skip {
			continue
		}
		n, err := copyTable(ctx, tx, src, t, progress)
		if err != nil {
			return err
		}
		res.Rows += n
	}
	if opts.ArchiveDir != "" {
		if res.Archives, err = copyArchives(ctx, tx, src, opts.ArchiveDir); err != nil {
			return err
		}
	}
	if err := setSequences(ctx, tx, tables); err != nil {
		return err
	}
	if err := analyze(ctx, tx, tables); err != nil {
		return err
	}
	res.Copy = time.Since(copyStart)

	verifyStart = time.Now()
	for i, t := range tables {
		row := Table{Name: t.name, SourceRows: want[i][0], Copied: !t.skip, Note: skipped[t.name]}
		if !t.skip {
			got, err := targetAggregate(ctx, tx, t)
			if err != nil {
				return fmt.Errorf("verify %s: %w", t.name, err)
			}
			row.TargetRows = got[0]
			for j, a := range t.aggregates {
				if got[j] != want[i][j] {
					return fmt.Errorf("verification failed, nothing was copied: in %s, %s is %d in the source and %d in the target", t.name, a.label, want[i][j], got[j])
				}
			}
			for _, a := range t.aggregates[1:] {
				row.Checks = append(row.Checks, a.label)
			}
		}
		res.Tables = append(res.Tables, row)
	}
	if err := verifyArchives(ctx, tx, res.Archives); err != nil {
		return err
	}
	res.Verify = verify + time.Since(verifyStart)
	return nil
}

// announce tells replicas already running on the target that everything
// changed: an offers change resets their validation caches (which may
// hold the seeded default offers, or keys they answered as unknown) and
// rebuilds their catalogues, when the copy commits. It is written after
// the verification, which expects the target's feed to be empty.
func announce(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `INSERT INTO changes (topic, subject, at) VALUES ($1, '', now())`, glpinet.TopicOffers)
	if err != nil {
		return fmt.Errorf("announce the copy to running replicas: %w", err)
	}
	return nil
}
