package glpihost

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
	// Removed lists the temporary files of interrupted writes of the key
	// files that were removed.
	Removed []string `json:"removed,omitempty"`
}

// PendingKeyPath is where a rotation keeps the new key until the key file
// is replaced: after a crash between the database commit and the file
// replacement, it is the only copy of the key the values need.
func (in *Install) PendingKeyPath() string { return in.CryptKeyPath() + ".rotating" }

// PendingRotationError refuses an encrypted write while a rotation is
// pending: the value would be encrypted with a key about to be replaced.
type PendingRotationError struct {
	// Path is the pending key file.
	Path string
	// Running is true when a rotation is under way in another process,
	// false when one was interrupted.
	Running bool
	// Reading is true when a value could not be decrypted (rather than
	// a write refused): values already re-encrypted need the pending key.
	Reading bool
}

func (e *PendingRotationError) Error() string {
	switch {
	case e.Reading:
		return fmt.Sprintf("a rotation of glpicrypt.key was interrupted (%s exists): the values it already re-encrypted do not decrypt with glpicrypt.key, for GLPI neither, until it is finished", e.Path)
	case e.Running:
		return "a rotation of glpicrypt.key is under way: nothing was written"
	}
	return fmt.Sprintf("a rotation of glpicrypt.key was interrupted (%s exists): a value written now would be encrypted with the key being replaced, so nothing was written", e.Path)
}

// Remedy says what to do about the refusal.
func (e *PendingRotationError) Remedy() string {
	if e.Running {
		return "wait for 'glpinet cryptkey rotate' to end and run the command again"
	}
	return "run 'glpinet cryptkey rotate' to finish it, then run the command again"
}

// CheckNoPendingRotation returns a *PendingRotationError when an
// interrupted rotation left its pending key: every command that writes an
// encrypted value refuses then, before doing anything else.
func (in *Install) CheckNoPendingRotation() error {
	if _, err := os.Lstat(in.PendingKeyPath()); err == nil {
		return &PendingRotationError{Path: in.PendingKeyPath()}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// InterruptedRotation explains a value that does not decrypt with
// glpicrypt.key: it returns a *PendingRotationError (Reading) when an
// interrupted rotation left its pending key, which such values may need,
// and nil otherwise.
func (in *Install) InterruptedRotation() error {
	if _, err := os.Lstat(in.PendingKeyPath()); err == nil {
		return &PendingRotationError{Path: in.PendingKeyPath(), Reading: true}
	}
	return nil
}

// lockCryptKeys locks the configuration directory: exclusively for a
// rotation, shared for an encrypted write, so that no value is written
// with the old key while a rotation runs and no two rotations mix their
// keys. It never waits: a conflicting holder means another glpinet is at
// work right now.
func (in *Install) lockCryptKeys(exclusive bool) (unlock func(), err error) {
	unlock, ok, err := lockDir(in.ConfigDir, exclusive)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", in.ConfigDir, err)
	}
	if !ok {
		if !exclusive {
			return nil, &PendingRotationError{Path: in.PendingKeyPath(), Running: true}
		}
		return nil, glpinet.Errorf(glpinet.ECONFLICT, "another glpinet command is rotating glpicrypt.key or writing an encrypted value in %s right now: wait for it to end", in.ConfigDir)
	}
	return unlock, nil
}

// keyTempPatterns match the temporary files WriteFileAtomic leaves when
// killed while writing glpicrypt.key or its pending copy.
var keyTempPatterns = []string{".glpicrypt.key.tmp-*", ".glpicrypt.key.rotating.tmp-*"}

// cleanKeyTemps removes the temporary files of interrupted key writes.
// The caller holds the exclusive lock, so none of them is being written.
// Only glpinet's own names are touched, and a symbolic link is removed,
// never followed.
func (in *Install) cleanKeyTemps() ([]string, error) {
	var removed []string
	for _, p := range keyTempPatterns {
		names, err := filepath.Glob(filepath.Join(in.ConfigDir, p))
		if err != nil {
			return removed, err
		}
		for _, name := range names {
			if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, fmt.Errorf("remove the leftover %s: %w", name, err)
			}
			removed = append(removed, name)
		}
	}
	return removed, nil
}

// CleanCryptLeftovers removes the temporary files left by a key write
// that was killed, unless another glpinet holds the configuration
// directory (then it returns nothing: those files may be its own).
func (in *Install) CleanCryptLeftovers() ([]string, error) {
	unlock, ok, err := lockDir(in.ConfigDir, true)
	if err != nil || !ok {
		return nil, err
	}
	defer unlock()
	return in.cleanKeyTemps()
}

// RotateCryptKey replaces glpicrypt.key with a new random key and
// re-encrypts every value of s, without ever leaving a value that no key
// on disk can read:
//
//  1. the new key is written to PendingKeyPath (flushed to disk);
//  2. the values are re-encrypted in one transaction, which changes
//     nothing if any of them decrypts neither with the current key nor
//     with the new one;
//  3. glpicrypt.key is replaced atomically, the old one kept as a backup
//     (same owner and mode, so that the web server still reads it);
//  4. the pending file is removed.
//
// If the process dies anywhere, the next call finishes the rotation
// (Resumed) with the pending key, whatever mix of values it finds: those
// still under the current key (the transaction did not commit, or a value
// was written with it afterwards) are re-encrypted, those already under
// the pending key kept. The configuration directory is locked for the
// whole rotation, and the temporary files of killed key writes removed.
func RotateCryptKey(ctx context.Context, in *Install, db *ConfigDB, s Secrets, now time.Time) (*Rotation, error) {
	unlock, err := in.lockCryptKeys(true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	removed, err := in.cleanKeyTemps()
	if err != nil {
		return nil, err
	}
	old, err := glpicrypt.LoadKey(in.CryptKeyPath())
	if err != nil {
		return nil, err
	}
	pending := in.PendingKeyPath()
	next, resumed, err := pendingKey(pending, old)
	if err != nil {
		return nil, err
	}
	if resumed && next == old {
		// Killed after the key file was replaced: only the removal of the
		// pending copy was missed.
		if err := os.Remove(pending); err != nil {
			return nil, err
		}
		return &Rotation{Resumed: true, Backup: latestBackup(in), Removed: removed}, nil
	}
	if !resumed {
		if next, err = glpicrypt.NewKey(); err != nil {
			return nil, err
		}
		if _, err := WriteFileAtomic(pending, next[:], 0o600, false, now); err != nil {
			return nil, err
		}
	}
	if err := pauseAt(ctx, "rotate-pending-written"); err != nil {
		return nil, err
	}
	n, err := db.reEncrypt(ctx, old, next, s, true)
	if err != nil {
		// A key this run made may go when the transaction surely rolled
		// back; a resumed one may be what values need.
		var ce *commitError
		if !resumed && !errors.As(err, &ce) {
			os.Remove(pending)
		}
		var ue *undecryptableError
		switch {
		case errors.As(err, &ue) && resumed:
			return nil, glpinet.Errorf(glpinet.EINVALID, "%s decrypts neither with %s nor with the key of the interrupted rotation, %s; nothing was changed: restore the key that made it, or enter it again in GLPI", ue.where, in.CryptKeyPath(), pending)
		case errors.As(err, &ue):
			return nil, ue.refusal()
		}
		return nil, err
	}
	if err := pauseAt(ctx, "rotate-committed"); err != nil {
		return nil, err
	}
	r, err := finishRotation(ctx, in, db, s, old, next, now)
	if err != nil {
		return nil, err
	}
	r.Reencrypted, r.Resumed, r.Removed = n, resumed, removed
	return r, nil
}

// pendingKey reads the key an interrupted rotation left; resumed is false
// when there is none.
func pendingKey(path string, old glpicrypt.Key) (k glpicrypt.Key, resumed bool, err error) {
	k, err = glpicrypt.LoadKey(path)
	var ke *glpicrypt.KeyError
	switch {
	case errors.As(err, &ke) && ke.Reason == "missing":
		return k, false, nil
	case err != nil:
		return k, false, pendingKeyRefusal(path, err)
	}
	return k, true, nil
}

// pendingKeyRefusal refuses a pending key file that cannot be read as a
// key. glpinet writes it atomically, so it is never partial: something
// else made it, and using it could lose every value.
func pendingKeyRefusal(path string, err error) error {
	why := strings.TrimPrefix(err.Error(), path+" ")
	return glpinet.Errorf(glpinet.EINVALID, "%s %s, so not one an interrupted rotation left: move it away and run the command again", path, why)
}

// CheckPendingKey returns nil when no rotation is pending or when its
// pending key is usable, and the refusal RotateCryptKey would give
// otherwise.
func (in *Install) CheckPendingKey() error {
	_, err := glpicrypt.LoadKey(in.PendingKeyPath())
	var ke *glpicrypt.KeyError
	if err == nil || errors.As(err, &ke) && ke.Reason == "missing" {
		return nil
	}
	return pendingKeyRefusal(in.PendingKeyPath(), err)
}

// finishRotation installs the new key as glpicrypt.key and removes the
// pending copy.
func finishRotation(ctx context.Context, in *Install, db *ConfigDB, s Secrets, old, next glpicrypt.Key, now time.Time) (*Rotation, error) {
	backup, err := WriteFileAtomic(in.CryptKeyPath(), next[:], 0o600, true, now)
	if err != nil {
		return nil, glpinet.Errorf(glpinet.EINTERNAL, "the database now uses the new key kept in %s, but %s could not be replaced (%v): run 'glpinet cryptkey rotate' again to finish", in.PendingKeyPath(), in.CryptKeyPath(), err)
	}
	if err := pauseAt(ctx, "rotate-key-replaced"); err != nil {
		return nil, err
	}
	// GLPI itself may have saved a value with the old key while the
	// rotation ran (it reads the key file at each encryption): one more
	// pass, now that no new value can be made with it, moves such values
	// to the new key. A failure here loses nothing the backup cannot
	// decrypt, so it does not undo a finished rotation.
	_, _ = db.reEncrypt(ctx, old, next, s, false)
	if err := os.Remove(in.PendingKeyPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return &Rotation{Backup: backup}, nil
}

// latestBackup returns the newest backup of glpicrypt.key ("" if none):
// the names sort by time, and a ".N" suffix after its base.
func latestBackup(in *Install) string {
	names, _ := filepath.Glob(in.CryptKeyPath() + ".bak-*")
	sort.Slice(names, func(i, j int) bool { return backupLess(names[i], names[j]) })
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1]
}

// backupLess orders backup names by their time, then by their ".N".
func backupLess(a, b string) bool {
	ta, na := splitBackup(a)
	tb, nb := splitBackup(b)
	if ta != tb {
		return ta < tb
	}
	return na < nb
}

// splitBackup splits "glpicrypt.key.bak-20250131-142501.3" into its time
// and its number (0 without suffix).
func splitBackup(name string) (string, int) {
	_, rest, _ := strings.Cut(filepath.Base(name), ".bak-")
	t, num, ok := strings.Cut(rest, ".")
	n := 0
	if ok {
		fmt.Sscanf(num, "%d", &n)
	}
	return t, n
}
