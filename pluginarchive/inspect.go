package pluginarchive

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/glpinet/glpinet"
)

// Inspect validates the plugin archive r, of size bytes, whose file name
// (used for its extension only) is filename, and describes it.
//
// The archive is accepted only if all of these hold:
//   - its extension is .zip, .tar.gz/.tgz or .tar.bz2/.tbz2 and its content
//     is of that format, well-formed, and at most lim.MaxArchiveSize bytes;
//   - every entry is under a single top folder whose name is a valid GLPI
//     plugin key (^[a-z0-9]+$), and that folder holds setup.php;
//   - every entry name is a safe relative path (see checkEntryName), and no
//     two entries would be extracted to the same path, even on a
//     case-insensitive file system;
//   - every entry is a regular file or a folder: no links, devices, FIFOs,
//     sockets, sparse or encrypted files;
//   - the decompressed data stays within lim, counting the bytes actually
//     produced rather than trusting the sizes the archive declares;
//   - setup.php declares a version (see ParseSetupPHP).
//
// Every rejection is a *glpinet.Error with code glpinet.EINVALID and a
// message for the vendor naming the offending entry; an error reading r is
// returned wrapped, as is. Zero fields of lim take their default value.
func Inspect(r io.ReaderAt, size int64, filename string, lim Limits) (*Manifest, error) {
	var setup []byte
	res, err := walk(r, size, filename, lim, func(e entry, body io.Reader) error {
		// The top folder is known once an entry was accepted.
		if e.Dir || e.Name != topFolder(e.Name)+"/setup.php" {
			return nil
		}
		b, err := io.ReadAll(io.LimitReader(body, maxSetupPHPSize+1))
		if err != nil {
			return err
		}
		setup = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	if setup == nil {
		return nil, glpinet.Errorf(glpinet.EINVALID,
			"the archive has no %q: every GLPI plugin needs a setup.php file in its top folder", res.Key+"/setup.php")
	}
	info, err := ParseSetupPHP(setup, res.Key)
	if err != nil {
		return nil, err
	}
	return &Manifest{
		Key:              res.Key,
		Format:           res.Format,
		Size:             size,
		SHA256:           hex.EncodeToString(res.SHA256),
		Entries:          res.Entries,
		UncompressedSize: res.Total,
		Name:             info.Name,
		Version:          info.Version,
		Author:           info.Author,
		License:          info.License,
		Homepage:         info.Homepage,
		MinGLPI:          info.MinGLPI,
		MaxGLPI:          info.MaxGLPI,
		Compatibility:    Compatibility(info.MinGLPI, info.MaxGLPI),
	}, nil
}

// InspectFile is Inspect for the archive file at path; the file name
// (the last element of path) selects the format.
func InspectFile(path string, lim Limits) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pluginarchive: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("pluginarchive: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("pluginarchive: %s is not a regular file", path)
	}
	return Inspect(f, fi.Size(), filepath.Base(path), lim)
}

// topFolder returns the first component of a normalised entry name.
func topFolder(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			return name[:i]
		}
	}
	return name
}
