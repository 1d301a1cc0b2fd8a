package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/sqlite"
)

// A backup is a directory:
//
//	glpinet.db      a consistent copy of the database (sqlite.Backup)
//	signing.key     the Ed25519 seed that signs archives
//	archives/       the archive files, hard-linked when on the data
//	                directory's file system, copied otherwise
//	manifest.json   what the backup holds, with the database's SHA-256
//
// It is built in a hidden temporary directory next to the destination and
// renamed into place once complete and verified.
const (
	backupFormat   = "glpinet-backup-1"
	manifestName   = "manifest.json"
	backupDBName   = "glpinet.db"
	backupKeyName  = "signing.key"
	backupArchives = "archives"
)

// backupManifest is manifest.json, and what backup prints.
type backupManifest struct {
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	// Source is the database file that was backed up.
	Source   string         `json:"source"`
	Database backupDatabase `json:"database"`
	// SigningKey is null when the data directory had none yet (nothing
	// published, server never started).
	SigningKey *backupSigningKey `json:"signing_key"`
	Archives   backupArchiveSet  `json:"archives"`
}

type backupDatabase struct {
	File          string           `json:"file"`
	Size          int64            `json:"size"`
	SHA256        string           `json:"sha256"`
	SchemaVersion int64            `json:"schema_version"`
	Integrity     string           `json:"integrity"`
	Rows          map[string]int64 `json:"rows"`
}

type backupSigningKey struct {
	File string `json:"file"`
	// PublicKey is base64, as /api/marketplace/signing-key serves it.
	PublicKey string `json:"public_key"`
}

type backupArchiveSet struct {
	// Included is false with --no-archives: copy DATA/archives separately.
	Included bool   `json:"included"`
	Dir      string `json:"dir,omitempty"`
	Files    int    `json:"files"`
	Bytes    int64  `json:"bytes"`
	// Linked counts the files hard-linked rather than copied.
	Linked int `json:"linked"`
	// Missing lists the archives the catalogue refers to that were not in
	// the data directory: their downloads fail after a restore as before.
	Missing []string `json:"missing,omitempty"`
}

// backupResult is what backup prints: the manifest, where it went and how
// long it took.
type backupResult struct {
	Path       string  `json:"path"`
	Size       int64   `json:"size"`
	DurationMS float64 `json:"duration_ms"`
	backupManifest
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
	m, err := backup(ctx, &sf, filepath.Clean(*out), !*noArchives)
	if err != nil {
		return err
	}
	res := backupResult{Path: filepath.Clean(*out), DurationMS: float64(time.Since(start).Microseconds()) / 1000, backupManifest: *m}
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
			fmt.Fprintf(w, "archives:\tnot included: copy them too, e.g. rsync -a %s/ %s/\n", sf.archiveDir(), filepath.Join(res.Path, backupArchives))
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

// backup writes the backup directory out and returns its manifest.
func backup(ctx context.Context, sf *storeFlags, out string, withArchives bool) (*backupManifest, error) {
	src := sf.sqlitePath()
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("there is no database at %s: check --data or --database", src)
	}
	if err := checkBackupDest(out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, err
	}
	// MkdirTemp makes it 0700: it holds the signing key. Nothing is left
	// of it once renamed.
	defer os.RemoveAll(tmp)

	m := &backupManifest{Format: backupFormat, CreatedAt: time.Now().UTC().Truncate(time.Second), Source: src}
	// The database first: every archive its catalogue refers to was
	// stored before the version was committed, and archives are never
	// deleted, so copying them afterwards finds them all.
	snap, err := sqlite.Backup(ctx, src, filepath.Join(tmp, backupDBName))
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(snap.Path, 0o600); err != nil {
		return nil, err
	}
	sum, err := fileSHA256(snap.Path)
	if err != nil {
		return nil, err
	}
	m.Database = backupDatabase{File: backupDBName, Size: snap.Size, SHA256: sum, SchemaVersion: snap.SchemaVersion, Integrity: snap.Integrity, Rows: snap.Rows}

	seed, err := os.ReadFile(sf.signingKeyPath())
	switch {
	case err == nil:
		if len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("signing key %s is %d bytes long, not %d", sf.signingKeyPath(), len(seed), ed25519.SeedSize)
		}
		if err := writeFileSync(filepath.Join(tmp, backupKeyName), seed, 0o600); err != nil {
			return nil, err
		}
		m.SigningKey = &backupSigningKey{File: backupKeyName, PublicKey: publicKeyText(seed)}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}

	if withArchives {
		m.Archives = backupArchiveSet{Included: true, Dir: backupArchives}
		st, err := copyTree(ctx, sf.archiveDir(), filepath.Join(tmp, backupArchives), false)
		if err != nil {
			return nil, fmt.Errorf("copy the archives: %w", err)
		}
		m.Archives.Files, m.Archives.Bytes, m.Archives.Linked = st.files, st.bytes, st.linked
		refs, err := sqlite.Archives(ctx, snap.Path)
		if err != nil {
			return nil, err
		}
		for rel, size := range refs {
			fi, err := os.Stat(filepath.Join(tmp, backupArchives, filepath.FromSlash(rel)))
			if err != nil || fi.Size() != size {
				m.Archives.Missing = append(m.Archives.Missing, rel)
			}
		}
		sort.Strings(m.Archives.Missing)
	}

	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(tmp, manifestName), append(b, '\n'), 0o600); err != nil {
		return nil, err
	}
	if err := syncDir(tmp); err != nil {
		return nil, err
	}
	// On Linux, rename replaces an empty directory; checkBackupDest
	// refused anything else.
	if err := os.Rename(tmp, out); err != nil {
		return nil, err
	}
	return m, syncDir(filepath.Dir(out))
}

// checkBackupDest refuses a destination that exists, unless it is an
// empty directory (made by the operator, e.g. a mount point's subfolder).
func checkBackupDest(out string) error {
	fi, err := os.Lstat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if fi.IsDir() {
		entries, err := os.ReadDir(out)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
	}
	return fmt.Errorf("%s already exists: a backup never replaces another; choose a new name, e.g. with the date", out)
}

// restoreResult is what restore prints.
type restoreResult struct {
	From          string           `json:"from"`
	Database      string           `json:"database"`
	SchemaVersion int64            `json:"schema_version"`
	Rows          map[string]int64 `json:"rows"`
	SigningKey    string           `json:"signing_key,omitempty"`
	// ArchivesIncluded is false for a backup made with --no-archives.
	ArchivesIncluded bool `json:"archives_included"`
	// ArchivesCopied counts the archive files restored (those already in
	// place are kept: their paths name their content).
	ArchivesCopied int `json:"archives_copied"`
	// SetAside lists the files restore replaced, renamed with a
	// .before-restore-TIME suffix.
	SetAside []string `json:"set_aside,omitempty"`
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
	res, err := restore(ctx, &sf, filepath.Clean(*from), *force)
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
		fmt.Fprintf(w, "rows:\t%s\n", rowsText(res.Rows))
		for _, p := range res.SetAside {
			fmt.Fprintf(w, "kept:\t%s (delete it once the restored server is checked)\n", p)
		}
		fmt.Fprintf(w, "\nStart the server: glpinetd serve --data %s\n", sf.data)
	})
}

// restore puts the backup in from back into the data directory the flags
// name: archives first, then the signing key, the database last, so that
// once the database is in place everything it refers to is too.
func restore(ctx context.Context, sf *storeFlags, from string, force bool) (*restoreResult, error) {
	m, err := readManifest(from)
	if err != nil {
		return nil, err
	}
	// Check the backup completely before touching anything.
	dbFile := filepath.Join(from, m.Database.File)
	if sum, err := fileSHA256(dbFile); err != nil {
		return nil, err
	} else if sum != m.Database.SHA256 {
		return nil, fmt.Errorf("%s does not match its SHA-256 in %s: the backup is damaged (an incomplete copy?)", dbFile, manifestName)
	}
	snap, err := sqlite.Inspect(ctx, dbFile)
	if err != nil {
		return nil, err
	}
	if snap.Integrity != "ok" {
		return nil, fmt.Errorf("%s fails integrity_check: %s", dbFile, snap.Integrity)
	}
	if latest := sqlite.SchemaVersion(); snap.SchemaVersion > latest {
		return nil, fmt.Errorf("the backup's schema version is %d, newer than this glpinetd's (%d): restore it with the glpinetd that made it, or a newer one", snap.SchemaVersion, latest)
	}
	var seed []byte
	if m.SigningKey != nil {
		if seed, err = os.ReadFile(filepath.Join(from, m.SigningKey.File)); err != nil {
			return nil, err
		}
		if len(seed) != ed25519.SeedSize || publicKeyText(seed) != m.SigningKey.PublicKey {
			return nil, fmt.Errorf("%s does not match the public key in %s: the backup is damaged", filepath.Join(from, m.SigningKey.File), manifestName)
		}
	}

	dbPath := sf.sqlitePath()
	inUse, err := sqlite.InUse(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	if inUse {
		// Not even with --force: the server would go on writing its WAL
		// over the restored file and corrupt it.
		return nil, fmt.Errorf("%s is in use by a running glpinetd (or another command): stop it first, then restore", dbPath)
	}
	var replaced []string
	for _, p := range []string{dbPath, dbPath + "-wal"} {
		if _, err := os.Lstat(p); err == nil {
			replaced = append(replaced, p)
		}
	}
	keyPath := sf.signingKeyPath()
	current, err := os.ReadFile(keyPath)
	switch {
	case err == nil:
		if seed != nil && string(current) != string(seed) {
			replaced = append(replaced, keyPath)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if len(replaced) > 0 && !force {
		return nil, fmt.Errorf("%s already holds data (%s): restore into an empty data directory, or add --force to replace it (the current files are kept as *.before-restore-TIME)", sf.data, strings.Join(replaced, ", "))
	}

	res := &restoreResult{From: from, Database: dbPath, SchemaVersion: snap.SchemaVersion, Rows: snap.Rows, ArchivesIncluded: m.Archives.Included}
	if m.Archives.Included {
		st, err := copyTree(ctx, filepath.Join(from, m.Archives.Dir), sf.archiveDir(), true)
		if err != nil {
			return nil, fmt.Errorf("restore the archives: %w", err)
		}
		res.ArchivesCopied = st.files
	}
	suffix := ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")

	// Everything that can fail for want of space or rights is done first,
	// while the data directory is untouched: the database is copied next
	// to its place and checked, the files replaced are linked aside. Only
	// renames remain after that, so that a failure or a crash does not
	// leave the backup's signing key with the current database, nor a
	// directory without a database (a server would start on an empty one).
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dbPath), "."+filepath.Base(dbPath)+".restore-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := copySynced(tmp, dbFile, m.Database.SHA256); err != nil {
		return nil, err
	}
	// Readable by its owner only, as the store makes it (sqlite.Open).
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return nil, err
	}
	replaceKey := seed != nil && string(current) != string(seed)
	if replaceKey && current != nil {
		if err := os.Link(keyPath, keyPath+suffix); err != nil {
			return nil, fmt.Errorf("keep the current signing key aside: %w", err)
		}
		res.SetAside = append(res.SetAside, keyPath+suffix)
	}
	if _, err := os.Lstat(dbPath); err == nil {
		// A link, not a rename: dbPath keeps a database until the restored
		// one is renamed over it.
		if err := os.Link(dbPath, dbPath+suffix); err != nil {
			return res, fmt.Errorf("keep the current database aside: %w", err)
		}
		res.SetAside = append(res.SetAside, dbPath+suffix)
	}

	if seed != nil {
		res.SigningKey = keyPath
	}
	if replaceKey {
		if err := writeFileAtomic(keyPath, seed, 0o600); err != nil {
			return res, err
		}
	}
	// The old database's WAL, which holds its latest commits, goes with
	// the copy set aside (SQLite finds a WAL by name, so the pair stays
	// usable); a WAL left next to the restored file would be replayed into
	// it. The -shm index is rebuilt from the WAL.
	if _, err := os.Lstat(dbPath + "-wal"); err == nil {
		if err := os.Rename(dbPath+"-wal", dbPath+suffix+"-wal"); err != nil {
			return res, err
		}
		res.SetAside = append(res.SetAside, dbPath+suffix+"-wal")
	}
	for _, p := range []string{dbPath + "-shm", dbPath + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, err
		}
	}
	if err := os.Rename(tmp.Name(), dbPath); err != nil {
		return res, err
	}
	return res, syncDir(filepath.Dir(dbPath))
}

func readManifest(dir string) (*backupManifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a glpinetd backup (no %s): give the directory glpinetd backup --out created", dir, manifestName)
	} else if err != nil {
		return nil, err
	}
	var m backupManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, manifestName), err)
	}
	if m.Format != backupFormat {
		return nil, fmt.Errorf("%s: unknown backup format %q (this glpinetd reads %q)", filepath.Join(dir, manifestName), m.Format, backupFormat)
	}
	for _, name := range []string{m.Database.File, m.Archives.Dir} {
		if name != "" && (!filepath.IsLocal(name) || strings.ContainsRune(name, filepath.Separator)) {
			return nil, fmt.Errorf("%s: unexpected file name %q", filepath.Join(dir, manifestName), name)
		}
	}
	if m.SigningKey != nil && !filepath.IsLocal(m.SigningKey.File) {
		return nil, fmt.Errorf("%s: unexpected file name %q", filepath.Join(dir, manifestName), m.SigningKey.File)
	}
	return &m, nil
}

type treeStats struct {
	files, linked int
	bytes         int64
}

// copyTree copies the regular files under src to dst, as hard links when
// both are on one file system (archive files are immutable: they are
// written once, under a path that names their content, and never changed),
// as synced copies otherwise. Dot files are skipped (uploads in progress).
// With skipExisting, files already in dst are left alone; otherwise dst
// must be new. A missing src is an empty tree.
func copyTree(ctx context.Context, src, dst string, skipExisting bool) (treeStats, error) {
	var st treeStats
	var dirs []string
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if path == src && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != src {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			dirs = append(dirs, target)
			return os.MkdirAll(target, 0o750)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file", path)
		}
		if skipExisting {
			if _, err := os.Lstat(target); err == nil {
				return nil
			}
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		linked, err := linkOrCopy(path, target)
		if err != nil {
			return err
		}
		st.files++
		st.bytes += fi.Size()
		if linked {
			st.linked++
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	for _, d := range dirs {
		if err := syncDir(d); err != nil {
			return st, err
		}
	}
	return st, nil
}

// linkOrCopy makes dst a hard link to src, or a copy when linking fails
// (another file system, or one without links). A copy is written to a
// temporary name, synced and renamed.
func linkOrCopy(src, dst string) (linked bool, err error) {
	if os.Link(src, dst) == nil {
		return true, nil
	}
	in, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".restore-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return false, err
	}
	return false, os.Rename(tmp.Name(), dst)
}

// copySynced copies the file src into f, checks its SHA-256, syncs and
// closes f.
func copySynced(f *os.File, src, wantSHA256 string) error {
	in, err := os.Open(src)
	if err != nil {
		f.Close()
		return err
	}
	defer in.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), in); err != nil {
		f.Close()
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA256 {
		f.Close()
		return fmt.Errorf("%s changed while it was copied", src)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeFileSync creates path (which must not exist) with b, synced.
func writeFileSync(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeFileAtomic replaces path with b through a synced temporary file.
func writeFileAtomic(path string, b []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func publicKeyText(seed []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
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
