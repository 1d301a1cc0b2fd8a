package glpihost

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/internal/atomicfile"
)

// CryptKeyMode is the permission of a glpicrypt.key that CreateCryptKey
// makes: the owner of the configuration folder (the web server's user,
// which GLPI runs as) reads it, and so does its group, for installations
// whose folder belongs to root and the web server's group; nobody else.
const CryptKeyMode os.FileMode = 0o640

// KeyCreation says what CreateCryptKey did.
type KeyCreation struct {
	// Path is the new key file.
	Path string `json:"key_file"`
	// Mode is its permission bits, as an octal text ("0640").
	Mode string `json:"mode"`
	// UID and GID are its owner and group, those of the configuration
	// folder (-1 where files have no Unix owner).
	UID int `json:"uid"`
	GID int `json:"gid"`
	// Removed lists the temporary files of interrupted writes of the key
	// files that were removed.
	Removed []string `json:"removed,omitempty"`
}

// CreateKeyRefusal is CreateCryptKey's refusal to make a key: a key file
// is already there (usable or not: it may be the only copy of the key the
// database's values need), an interrupted rotation left its new key, or
// the database holds encrypted values, which a new key could not decrypt.
// Nothing was written.
type CreateKeyRefusal struct {
	// Path is glpicrypt.key.
	Path string
	// Exists is true when a file (of any kind) is at Path; KeyErr then
	// says why it is not a usable key, nil when it is one.
	Exists bool
	KeyErr error
	// Pending is the pending key of an interrupted rotation, when there
	// is one.
	Pending string
	// Values are the encrypted values the database holds.
	Values []string
}

func (e *CreateKeyRefusal) Error() string {
	switch {
	case e.Exists && e.KeyErr == nil:
		return fmt.Sprintf("%s already exists and holds a key: glpinet never replaces a key file, since GLPI's encrypted values need it", e.Path)
	case e.Exists:
		return fmt.Sprintf("%s already exists but is not a usable key (%s): glpinet never replaces a key file, which may be the only copy of the key GLPI's encrypted values need",
			e.Path, strings.TrimPrefix(e.KeyErr.Error(), e.Path+" "))
	case e.Pending != "":
		return fmt.Sprintf("%s is missing but %s, the new key of an interrupted rotation, exists: the database's values may need it, so no other key was made", e.Path, e.Pending)
	}
	return fmt.Sprintf("the database holds %s (%s), made with the missing %s: a new key could not decrypt them, so none was made",
		countValues(len(e.Values)), strings.Join(e.Values, ", "), e.Path)
}

// Remedy says what to do about the refusal.
func (e *CreateKeyRefusal) Remedy() string {
	switch {
	case e.Exists && e.KeyErr == nil:
		return "check it with 'glpinet cryptkey check'; to change the key, 'glpinet cryptkey rotate' re-encrypts every value"
	case e.Exists:
		return "restore glpicrypt.key from a backup and check it with 'glpinet cryptkey check'; only if this GLPI never encrypted anything, move the file away and run 'glpinet cryptkey create' again"
	case e.Pending != "":
		return "copy " + e.Pending + " to glpicrypt.key (same owner and mode) and run 'glpinet cryptkey rotate' to finish the rotation"
	}
	return restoreRemedy
}

// restoreRemedy is what to do when glpicrypt.key is missing and the
// database holds values made with it.
const restoreRemedy = "restore config/glpicrypt.key from a backup, then check it with 'glpinet cryptkey check'"

func countValues(n int) string {
	if n == 1 {
		return "1 encrypted value"
	}
	return fmt.Sprintf("%d encrypted values", n)
}

// MissingKeyError is a glpicrypt.key that does not exist, with what
// decides the remedy: a new key for an installation that never encrypted
// anything, the lost one restored otherwise.
type MissingKeyError struct {
	*glpicrypt.KeyError
	// Known is false when the database could not be read.
	Known bool
	// Values are the encrypted values the database holds.
	Values []string
}

func (e *MissingKeyError) Unwrap() error { return e.KeyError }

// Remedy says what to do about the missing key.
func (e *MissingKeyError) Remedy() string {
	switch {
	case !e.Known:
		return "restore config/glpicrypt.key from a backup; if this GLPI never had one, create it with 'glpinet cryptkey create' (it refuses while the database holds encrypted values)"
	case len(e.Values) == 0:
		return "the database holds no encrypted value: create the key with 'glpinet cryptkey create', then run the command again"
	}
	return fmt.Sprintf("%s: the database holds %s made with it (%s), which a new key could not decrypt", restoreRemedy, countValues(len(e.Values)), strings.Join(e.Values, ", "))
}

// ExplainMissingKey turns err, when it is a *glpicrypt.KeyError for a
// glpicrypt.key that does not exist, into a *MissingKeyError that says
// whether the database holds encrypted values (db may be nil: not known).
// Other errors are returned as they are.
func ExplainMissingKey(ctx context.Context, db *ConfigDB, s Secrets, err error) error {
	var ke *glpicrypt.KeyError
	if !errors.As(err, &ke) || ke.Reason != "missing" {
		return err
	}
	me := &MissingKeyError{KeyError: ke}
	if db != nil {
		if vals, verr := db.StoredSecrets(ctx, s); verr == nil {
			me.Known, me.Values = true, vals
		}
	}
	return me
}

// StoredSecrets names the non-empty encrypted values of s that the
// database holds ("glpi_configs core/proxy_passwd", "glpi_authldaps.rootdn_passwd
// (id 3)").
func (c *ConfigDB) StoredSecrets(ctx context.Context, s Secrets) ([]string, error) {
	vals, err := c.encryptedValues(ctx, c.db, s, false)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		out = append(out, v.where.String())
	}
	return out, nil
}

// CreateCryptKey makes the glpicrypt.key of an installation that has none
// and has never encrypted anything, as GLPIKey::generate does: 32 random
// bytes (sodium_crypto_aead_xchacha20poly1305_ietf_keygen), written raw.
// The file gets CryptKeyMode and the owner and group of the configuration
// folder, so that GLPI, running as the web server's user, reads it when
// glpinet runs as root.
//
// It refuses with a *CreateKeyRefusal, writing nothing, when anything is
// at glpicrypt.key (even an empty or damaged file, or a link: it may be
// the only copy of the key the values need), when an interrupted
// rotation left its pending key, and when the database holds encrypted
// values of s: they were made with a key that is missing, and a new one
// would not decrypt them. The file is written atomically and appears only
// if nothing was created there meanwhile (GLPI's own installer, say); the
// configuration folder is locked against a rotation for the whole time.
func CreateCryptKey(ctx context.Context, in *Install, db *ConfigDB, s Secrets) (*KeyCreation, error) {
	unlock, err := in.lockCryptKeys(true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	removed, err := in.cleanKeyTemps()
	if err != nil {
		return nil, err
	}
	path := in.CryptKeyPath()
	if refusal, err := existingKey(path); err != nil {
		return nil, err
	} else if refusal != nil {
		return nil, refusal
	}
	if _, err := os.Lstat(in.PendingKeyPath()); err == nil {
		return nil, &CreateKeyRefusal{Path: path, Pending: in.PendingKeyPath()}
	}
	vals, err := db.StoredSecrets(ctx, s)
	if err != nil {
		return nil, err
	}
	if len(vals) > 0 {
		return nil, &CreateKeyRefusal{Path: path, Values: vals}
	}
	dir, err := os.Stat(in.ConfigDir)
	if err != nil {
		return nil, err
	}
	key, err := glpicrypt.NewKey()
	if err != nil {
		return nil, err
	}
	if err := writeNewKey(path, key, dir); err != nil {
		return nil, err
	}
	// Read back as GLPI and every glpinet command will: what was written
	// is what was made.
	if got, err := glpicrypt.LoadKey(path); err != nil || got != key {
		return nil, fmt.Errorf("%s does not read back as the key written: %v", path, err)
	}
	uid, gid := fileOwner(dir)
	return &KeyCreation{Path: path, Mode: fmt.Sprintf("%04o", CryptKeyMode), UID: uid, GID: gid, Removed: removed}, nil
}

// existingKey returns the refusal for whatever is at path, nil when
// nothing is.
func existingKey(path string) (*CreateKeyRefusal, error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	_, err := glpicrypt.LoadKey(path)
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		// LoadKey follows a link to a valid key; glpinet never writes
		// through one, nor replaces it.
		err = errors.New("it is a symbolic link")
	}
	return &CreateKeyRefusal{Path: path, Exists: true, KeyErr: err}, nil
}

// writeNewKey writes key to the new file path with CryptKeyMode and the
// owner of the folder dir, failing if a file appeared at path meanwhile.
func writeNewKey(path string, key glpicrypt.Key, dir os.FileInfo) error {
	f, err := atomicfile.Create(path, CryptKeyMode)
	switch {
	case errors.Is(err, atomicfile.ErrLink), errors.Is(err, atomicfile.ErrNotRegular):
		return &CreateKeyRefusal{Path: path, Exists: true, KeyErr: err}
	case err != nil:
		return err
	}
	defer f.Abort()
	if _, err := f.Write(key[:]); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if err := giveOwner(f.File, dir); err != nil {
		return err
	}
	// After chown, which may clear set-id bits.
	if err := f.Chmod(CryptKeyMode); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	err = f.CommitNew()
	if errors.Is(err, fs.ErrExist) {
		return &CreateKeyRefusal{Path: path, Exists: true}
	}
	if err != nil {
		return glpinet.Errorf(glpinet.EINTERNAL, "create %s: %v", path, err)
	}
	return nil
}
