package backup

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glpinet/glpinet/internal/atomicfile"
	"github.com/glpinet/glpinet/signing"
	"github.com/glpinet/glpinet/sqlite"
)

// Restored is what Restore did.
type Restored struct {
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
	// ACMECopied counts the ACME cache files restored (those already in
	// the data directory are kept).
	ACMECopied int `json:"acme_copied"`
	// SetAside lists the files restore replaced, renamed with a
	// .before-restore-TIME suffix.
	SetAside []string `json:"set_aside,omitempty"`
}

// Restore puts the backup in from back into the data directory dst:
// archives first, then the signing key, the database last, so that once
// the database is in place everything it refers to is too. The backup is
// checked whole before anything is written. A database or signing key
// already in dst is refused unless force, and then kept aside as
// *.before-restore-TIME; a database in use by a running server is
// refused even with force.
func Restore(ctx context.Context, dst Paths, from string, force bool) (*Restored, error) {
	m, err := readManifest(from)
	if err != nil {
		return nil, err
	}
	// Check the backup completely before touching anything.
	dbFile := filepath.Join(from, m.Database.File)
	if sum, err := fileSHA256(dbFile); err != nil {
		return nil, err
	} else if sum != m.Database.SHA256 {
		return nil, fmt.Errorf("%s does not match its SHA-256 in %s: the backup is damaged (an incomplete copy?)", dbFile, ManifestName)
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
	var key ed25519.PrivateKey
	if m.SigningKey != nil {
		file := filepath.Join(from, m.SigningKey.File)
		if key, err = signing.Load(file); errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err != nil || signing.PublicKeyText(key.Public().(ed25519.PublicKey)) != m.SigningKey.PublicKey {
			return nil, fmt.Errorf("%s does not match the public key in %s: the backup is damaged", file, ManifestName)
		}
	}

	dbPath := dst.Database
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
	keyPath := dst.SigningKey
	// The file as it is, whatever its size: anything but the backup's key
	// is replaced (and kept aside).
	current, err := os.ReadFile(keyPath)
	switch {
	case err == nil:
		if key != nil && string(current) != string(key.Seed()) {
			replaced = append(replaced, keyPath)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if len(replaced) > 0 && !force {
		return nil, fmt.Errorf("%s already holds data (%s): restore into an empty data directory, or add --force to replace it (the current files are kept as *.before-restore-TIME)", dst.Data, strings.Join(replaced, ", "))
	}

	res := &Restored{From: from, Database: dbPath, SchemaVersion: snap.SchemaVersion, Rows: snap.Rows, ArchivesIncluded: m.Archives.Included}
	if m.Archives.Included {
		st, err := copyTree(ctx, filepath.Join(from, m.Archives.Dir), dst.Archives, true)
		if err != nil {
			return nil, fmt.Errorf("restore the archives: %w", err)
		}
		res.ArchivesCopied = st.files
	}
	if m.ACME != nil && dst.ACME != "" {
		// 0700 as the server makes it: private keys. Files already there
		// are kept (a certificate renewed since the backup is newer).
		if err := os.MkdirAll(dst.ACME, 0o700); err != nil {
			return nil, err
		}
		if err := os.Chmod(dst.ACME, 0o700); err != nil {
			return nil, err
		}
		st, err := copyTree(ctx, filepath.Join(from, m.ACME.Dir), dst.ACME, true)
		if err != nil {
			return nil, fmt.Errorf("restore the ACME cache: %w", err)
		}
		res.ACMECopied = st.files
	}
	suffix := ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")

	// Everything that can fail for want of space or rights is done first,
	// while the data directory is untouched: the database is copied next
	// to its place and checked, the files replaced are linked aside. Only
	// renames remain after that, so that a failure or a crash does not
	// leave the backup's signing key with the current database, nor a
	// directory without a database (a server would start on an empty one).
	// Readable by its owner only, as the store makes it (sqlite.Open).
	tmp, err := atomicfile.CreateAll(dbPath, 0o600, 0o750)
	if err != nil {
		return nil, err
	}
	defer tmp.Abort()
	if err := copySynced(tmp.File, dbFile, m.Database.SHA256); err != nil {
		return nil, err
	}
	replaceKey := key != nil && string(current) != string(key.Seed())
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

	if key != nil {
		res.SigningKey = keyPath
	}
	if replaceKey {
		if err := signing.Save(keyPath, key); err != nil {
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
	return res, tmp.Commit()
}

func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a glpinetd backup (no %s): give the directory glpinetd backup --out created", dir, ManifestName)
	} else if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestName), err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%s: unknown backup format %q (this glpinetd reads %q)", filepath.Join(dir, ManifestName), m.Format, Format)
	}
	for _, name := range []string{m.Database.File, m.Archives.Dir} {
		if name != "" && (!filepath.IsLocal(name) || strings.ContainsRune(name, filepath.Separator)) {
			return nil, fmt.Errorf("%s: unexpected file name %q", filepath.Join(dir, ManifestName), name)
		}
	}
	if m.ACME != nil && !filepath.IsLocal(m.ACME.Dir) {
		return nil, fmt.Errorf("%s: unexpected folder name %q", filepath.Join(dir, ManifestName), m.ACME.Dir)
	}
	if m.SigningKey != nil && !filepath.IsLocal(m.SigningKey.File) {
		return nil, fmt.Errorf("%s: unexpected file name %q", filepath.Join(dir, ManifestName), m.SigningKey.File)
	}
	return &m, nil
}
