package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/backup"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/sqlite"
)

// backupResult is what backup prints: the manifest, where it went and how
// long it took.
type backupResult struct {
	Path       string  `json:"path"`
	Size       int64   `json:"size"`
	DurationMS float64 `json:"duration_ms"`
	backup.Manifest
}

// backupPaths are the files of the data directory the flags name that a
// backup holds.
func (f *storeFlags) backupPaths() backup.Paths {
	return backup.Paths{Data: f.data, Database: f.sqlitePath(), SigningKey: f.signingKeyPath(), Archives: f.archiveDir(), ACME: f.acmeDir()}
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	out := fs.String("out", "", "the backup directory to create (required; must not exist, or be empty)")
	noArchives := fs.Bool("no-archives", false, "leave the archives out (copy DATA/archives separately, e.g. with rsync)")
	pos, err := cli.ParseFlags("glpinetd", fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *out == "" {
		return cli.Usagef("backup takes --out DIR, e.g. glpinetd backup --out /var/backups/glpinet-$(date +%%F)")
	}
	if isPostgres(sf.database) {
		return glpinet.Errorf(glpinet.ENOTIMPLEMENTED, "glpinetd backup copies a SQLite database; back up PostgreSQL with pg_dump, and DATA/signing.key and DATA/archives with it")
	}
	start := time.Now()
	m, err := backup.Create(ctx, sf.backupPaths(), filepath.Clean(*out), !*noArchives)
	if err != nil {
		return err
	}
	res := backupResult{Path: filepath.Clean(*out), DurationMS: float64(time.Since(start).Microseconds()) / 1000, Manifest: *m}
	res.Size = m.Database.Size + m.Archives.Bytes
	if m.SigningKey != nil {
		res.Size += ed25519.SeedSize
	}
	if len(m.Archives.Missing) > 0 {
		fmt.Fprintf(stderr, "glpinetd: warning: %s the catalogue refers to %s missing from %s: %s\n",
			cli.Count(len(m.Archives.Missing), "archive", "archives"), isAre(len(m.Archives.Missing)), sf.archiveDir(), strings.Join(m.Archives.Missing, ", "))
	}
	return cli.Output{W: stdout, JSON: sf.json}.Result(res, func(w io.Writer) {
		fmt.Fprintf(w, "Backup written to %s in %s.\n\n", res.Path, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(w, "database:\t%s, %s, schema version %d, integrity %s\n", m.Database.File, sizeText(m.Database.Size), m.Database.SchemaVersion, m.Database.Integrity)
		if m.SigningKey != nil {
			fmt.Fprintf(w, "signing key:\t%s (public key %s)\n", m.SigningKey.File, m.SigningKey.PublicKey)
		} else {
			fmt.Fprintf(w, "signing key:\tnone yet in %s\n", sf.data)
		}
		if m.Archives.Included {
			fmt.Fprintf(w, "archives:\t%s, %s (%d hard-linked, %d copied)\n", cli.Count(m.Archives.Files, "file", "files"), sizeText(m.Archives.Bytes), m.Archives.Linked, m.Archives.Files-m.Archives.Linked)
		} else {
			fmt.Fprintf(w, "archives:\tnot included: copy them too, e.g. rsync -a %s/ %s/\n", sf.archiveDir(), filepath.Join(res.Path, backup.ArchivesDir))
		}
		if m.ACME != nil {
			fmt.Fprintf(w, "acme:\t%s (account key and certificates)\n", cli.Count(m.ACME.Files, "file", "files"))
		}
		fmt.Fprintf(w, "rows:\t%s\n", rowsText(m.Database.Rows))
		fmt.Fprintf(w, "\nRestore with: glpinetd restore --from %s --data DIR (server stopped)\n", res.Path)
	})
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	from := fs.String("from", "", "the backup directory, as glpinetd backup wrote it (required)")
	force := fs.Bool("force", false, "replace the database and signing key already in the data directory (kept as *.before-restore-TIME)")
	pos, err := cli.ParseFlags("glpinetd", fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *from == "" {
		return cli.Usagef("restore takes --from BACKUP-DIR and the --data directory to restore into")
	}
	if isPostgres(sf.database) {
		return glpinet.Errorf(glpinet.ENOTIMPLEMENTED, "glpinetd restore writes a SQLite database; to move a backup to PostgreSQL, restore it to a SQLite file first")
	}
	res, err := backup.Restore(ctx, sf.backupPaths(), filepath.Clean(*from), *force)
	if err != nil {
		return err
	}
	return cli.Output{W: stdout, JSON: sf.json}.Result(res, func(w io.Writer) {
		fmt.Fprintf(w, "Restored %s into %s.\n\n", res.From, sf.data)
		fmt.Fprintf(w, "database:\t%s, schema version %d", res.Database, res.SchemaVersion)
		if latest := sqlite.SchemaVersion(); res.SchemaVersion < latest {
			fmt.Fprintf(w, " (glpinetd serve migrates it to %d when it starts)", latest)
		}
		fmt.Fprintln(w)
		if res.SigningKey != "" {
			fmt.Fprintf(w, "signing key:\t%s\n", res.SigningKey)
		}
		if res.ArchivesIncluded {
			fmt.Fprintf(w, "archives:\t%s restored\n", cli.Count(res.ArchivesCopied, "file", "files"))
		} else {
			fmt.Fprintf(w, "archives:\tnot in the backup: copy them into %s (e.g. rsync -a BACKUP-ARCHIVES/ %s/)\n", sf.archiveDir(), sf.archiveDir())
		}
		if res.ACMECopied > 0 {
			fmt.Fprintf(w, "acme:\t%s restored\n", cli.Count(res.ACMECopied, "file", "files"))
		}
		fmt.Fprintf(w, "rows:\t%s\n", rowsText(res.Rows))
		for _, p := range res.SetAside {
			fmt.Fprintf(w, "kept:\t%s (delete it once the restored server is checked)\n", p)
		}
		fmt.Fprintf(w, "\nStart the server: glpinetd serve --data %s\n", sf.data)
	})
}

// rowsText lists row counts, the main tables first.
func rowsText(rows map[string]int64) string {
	main := []string{"accounts", "users", "subscriptions", "registration_keys", "instances", "plugins", "plugin_versions", "audit_events"}
	var parts []string
	for _, t := range main {
		if n, ok := rows[t]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	return strings.Join(parts, ", ")
}

func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}
