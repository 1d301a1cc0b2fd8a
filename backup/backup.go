// Package backup copies a SQLite glpinetd data directory (the database,
// the catalogue signing key and the archives) into a backup directory
// while the server keeps serving, and puts such a backup back.
//
// A backup is a directory:
//
//	glpinet.db      a consistent copy of the database (sqlite.Backup)
//	signing.key     the Ed25519 seed that signs archives
//	archives/       the archive files, hard-linked when on the data
//	                directory's file system, copied otherwise
//	acme/           the ACME account key and certificates (--acme-domain),
//	                when the data directory has them
//	manifest.json   what the backup holds, with the database's SHA-256
//
// It is built in a hidden temporary directory next to the destination and
// renamed into place once complete and verified.
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
	"sort"
	"time"

	"github.com/glpinet/glpinet/internal/atomicfile"
	"github.com/glpinet/glpinet/signing"
	"github.com/glpinet/glpinet/sqlite"
)

// The names inside a backup directory.
const (
	// Format is the format manifest.json declares.
	Format = "glpinet-backup-1"
	// ManifestName is the manifest's file name.
	ManifestName = "manifest.json"
	// DatabaseName is the database copy's file name.
	DatabaseName = "glpinet.db"
	// SigningKeyName is the signing key's file name.
	SigningKeyName = "signing.key"
	// ArchivesDir is the folder of the archives.
	ArchivesDir = "archives"
	// ACMEDir is the folder of the ACME cache.
	ACMEDir = "acme"
)

// Paths are the files of a data directory that a backup copies, and
// where a restore puts them back.
type Paths struct {
	// Data is the data directory, as the operator named it (messages).
	Data string
	// Database is the SQLite database file.
	Database string
	// SigningKey is the catalogue signing key's file.
	SigningKey string
	// Archives is the archive folder.
	Archives string
	// ACME is the ACME cache folder (account key, certificates); "" or
	// missing: none.
	ACME string
}

// Manifest is manifest.json: what a backup holds.
type Manifest struct {
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	// Source is the database file that was backed up.
	Source   string   `json:"source"`
	Database Database `json:"database"`
	// SigningKey is null when the data directory had none yet (nothing
	// published, server never started).
	SigningKey *SigningKey `json:"signing_key"`
	Archives   ArchiveSet  `json:"archives"`
	// ACME is null when the data directory has no ACME cache. Kept so
	// that a restored server serves its certificate at once, without an
	// order the CA may refuse (Let's Encrypt allows 5 identical
	// certificates a week) and with the same ACME account.
	ACME *FileSet `json:"acme,omitempty"`
}

// FileSet describes a folder of a backup.
type FileSet struct {
	Dir   string `json:"dir"`
	Files int    `json:"files"`
}

// Database describes the database copy of a backup.
type Database struct {
	File          string           `json:"file"`
	Size          int64            `json:"size"`
	SHA256        string           `json:"sha256"`
	SchemaVersion int64            `json:"schema_version"`
	Integrity     string           `json:"integrity"`
	Rows          map[string]int64 `json:"rows"`
}

// SigningKey describes the signing key of a backup.
type SigningKey struct {
	File string `json:"file"`
	// PublicKey is base64, as /api/marketplace/signing-key serves it.
	PublicKey string `json:"public_key"`
}

// ArchiveSet describes the archives of a backup.
type ArchiveSet struct {
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

// Create writes the backup directory out from the data directory src
// and returns its manifest. out must not exist, or be an empty directory.
// withArchives false leaves the archives out.
func Create(ctx context.Context, src Paths, out string, withArchives bool) (*Manifest, error) {
	if _, err := os.Stat(src.Database); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("there is no database at %s: check --data or --database", src.Database)
	}
	if err := checkDest(out); err != nil {
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

	m := &Manifest{Format: Format, CreatedAt: time.Now().UTC().Truncate(time.Second), Source: src.Database}
	// The database first: every archive its catalogue refers to was
	// stored before the version was committed, and archives are never
	// deleted, so copying them afterwards finds them all.
	snap, err := sqlite.Backup(ctx, src.Database, filepath.Join(tmp, DatabaseName))
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
	m.Database = Database{File: DatabaseName, Size: snap.Size, SHA256: sum, SchemaVersion: snap.SchemaVersion, Integrity: snap.Integrity, Rows: snap.Rows}

	key, err := signing.Load(src.SigningKey)
	switch {
	case err == nil:
		if err := signing.Save(filepath.Join(tmp, SigningKeyName), key); err != nil {
			return nil, err
		}
		m.SigningKey = &SigningKey{File: SigningKeyName, PublicKey: signing.PublicKeyText(key.Public().(ed25519.PublicKey))}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}

	if withArchives {
		m.Archives = ArchiveSet{Included: true, Dir: ArchivesDir}
		st, err := copyTree(ctx, src.Archives, filepath.Join(tmp, ArchivesDir), false)
		if err != nil {
			return nil, fmt.Errorf("copy the archives: %w", err)
		}
		m.Archives.Files, m.Archives.Bytes, m.Archives.Linked = st.files, st.bytes, st.linked
		refs, err := sqlite.Archives(ctx, snap.Path)
		if err != nil {
			return nil, err
		}
		for rel, size := range refs {
			fi, err := os.Stat(filepath.Join(tmp, ArchivesDir, filepath.FromSlash(rel)))
			if err != nil || fi.Size() != size {
				m.Archives.Missing = append(m.Archives.Missing, rel)
			}
		}
		sort.Strings(m.Archives.Missing)
	}

	if src.ACME != "" {
		if _, err := os.Stat(src.ACME); err == nil {
			// Files autocert replaces by rename: a hard link keeps what
			// was there at this moment.
			st, err := copyTree(ctx, src.ACME, filepath.Join(tmp, ACMEDir), false)
			if err != nil {
				return nil, fmt.Errorf("copy the ACME cache: %w", err)
			}
			m.ACME = &FileSet{Dir: ACMEDir, Files: st.files}
		}
	}

	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(tmp, ManifestName), append(b, '\n'), 0o600); err != nil {
		return nil, err
	}
	if err := atomicfile.SyncDir(tmp); err != nil {
		return nil, err
	}
	// On Linux, rename replaces an empty directory; checkDest refused
	// anything else.
	if err := os.Rename(tmp, out); err != nil {
		return nil, err
	}
	return m, atomicfile.SyncDir(filepath.Dir(out))
}

// checkDest refuses a destination that exists, unless it is an empty
// directory (made by the operator, e.g. a mount point's subfolder).
func checkDest(out string) error {
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
