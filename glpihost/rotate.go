package glpihost

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
)

// Rotation says what RotateCryptKey did.
type Rotation struct {
	// Reencrypted counts the values now encrypted with the new key.
	Reencrypted int `json:"reencrypted"`
	// Backup is where the previous key file was kept: database backups
	// made before the rotation need it.
	Backup string `json:"backup"`
	// Resumed is true when an interrupted rotation was finished instead
	// of a new one started.
	Resumed bool `json:"resumed"`
}

// PendingKeyPath is where a rotation keeps the new key until the key file
// is replaced: after a crash between the database commit and the file
// replacement, it is the only copy of the key the values need.
func (in *Install) PendingKeyPath() string { return in.CryptKeyPath() + ".rotating" }

// RotateCryptKey replaces glpicrypt.key with a new random key and
// re-encrypts every value of s, without ever leaving a value that no key
// on disk can read:
//
//  1. the new key is written to PendingKeyPath (flushed to disk);
//  2. the values are re-encrypted in one transaction, which changes
//     nothing if any of them does not decrypt with the current key;
//  3. glpicrypt.key is replaced atomically, the old one kept as a backup
//     (same owner and mode, so that the web server still reads it);
//  4. the pending file is removed.
//
// If the process dies between 2 and 4, the next call sees the pending file
// and finishes the rotation (Resumed) instead of starting another one.
func RotateCryptKey(ctx context.Context, in *Install, db *ConfigDB, s Secrets, now time.Time) (*Rotation, error) {
	old, err := glpicrypt.LoadKey(in.CryptKeyPath())
	if err != nil {
		return nil, err
	}
	if r, err := resumeRotation(ctx, in, db, s, old, now); r != nil || err != nil {
		return r, err
	}
	next, err := glpicrypt.NewKey()
	if err != nil {
		return nil, err
	}
	pending := in.PendingKeyPath()
	if _, err := WriteFileAtomic(pending, next[:], 0o600, false, now); err != nil {
		return nil, err
	}
	// ReEncrypt refuses, changing nothing, when a value does not decrypt
	// with the current key.
	n, err := db.ReEncrypt(ctx, old, next, s)
	if err != nil {
		os.Remove(pending)
		return nil, err
	}
	r, err := finishRotation(in, next, now)
	if err != nil {
		return nil, err
	}
	r.Reencrypted = n
	return r, nil
}

// finishRotation installs the new key as glpicrypt.key and removes the
// pending copy.
func finishRotation(in *Install, next glpicrypt.Key, now time.Time) (*Rotation, error) {
	backup, err := WriteFileAtomic(in.CryptKeyPath(), next[:], 0o600, true, now)
	if err != nil {
		return nil, glpinet.Errorf(glpinet.EINTERNAL, "the database now uses the new key kept in %s, but %s could not be replaced (%v): run 'glpinet cryptkey rotate' again to finish", in.PendingKeyPath(), in.CryptKeyPath(), err)
	}
	if err := os.Remove(in.PendingKeyPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return &Rotation{Backup: backup}, nil
}

// resumeRotation deals with a pending key left by an interrupted
// rotation. It returns a Rotation when it finished one, nil when the
// pending file was stale (removed) or absent.
func resumeRotation(ctx context.Context, in *Install, db *ConfigDB, s Secrets, old glpicrypt.Key, now time.Time) (*Rotation, error) {
	pending := in.PendingKeyPath()
	pk, err := glpicrypt.LoadKey(pending)
	var ke *glpicrypt.KeyError
	switch {
	case errors.As(err, &ke) && ke.Reason == "missing":
		return nil, nil
	case err != nil:
		// Written atomically, so never partial: something else made it.
		return nil, glpinet.Errorf(glpinet.EINVALID, "%s is not a key left by glpinet (%v): move it away and run the command again", pending, err)
	case pk == old:
		// The key file was replaced; only the removal was missed.
		return nil, os.Remove(pending)
	}
	vals, err := db.encryptedValues(ctx, db.db, s, false)
	if err != nil {
		return nil, err
	}
	badOld, badNew, n := undecryptable(vals, old), undecryptable(vals, pk), len(vals)
	switch {
	case len(badOld) == 0:
		// The transaction did not commit: the pending key was never used.
		return nil, os.Remove(pending)
	case len(badNew) == 0:
		r, err := finishRotation(in, pk, now)
		if err != nil {
			return nil, err
		}
		r.Reencrypted, r.Resumed = n, true
		return r, nil
	}
	return nil, glpinet.Errorf(glpinet.EINVALID, "some values decrypt neither with %s nor with %s (first: %s): nothing was changed; restore the key that made them", in.CryptKeyPath(), pending, badOld[0])
}
