package pluginarchive

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/glpinet/glpinet"
)

// Unix file types, as stored in the high 16 bits of a zip entry's external
// attributes by Info-ZIP, libzip, 7-Zip and Go.
const (
	unixTypeMask = 0o170000
	unixFIFO     = 0o010000
	unixChar     = 0o020000
	unixDir      = 0o040000
	unixBlock    = 0o060000
	unixRegular  = 0o100000
	unixSymlink  = 0o120000
	unixSocket   = 0o140000
)

// centralHeaderSig starts every central directory record.
var centralHeaderSig = []byte("PK\x01\x02")

// walkZip walks a zip archive.
func (w *walker) walkZip() error {
	sum, records, err := scanZip(w.src, w.size)
	if err != nil {
		return w.formatError(err)
	}
	w.res.SHA256 = sum
	// archive/zip reads the whole central directory into memory before
	// returning, without any bound on the number of records. Every record
	// starts with centralHeaderSig, so counting those bytes in the file
	// bounds the records zip.NewReader can find (and thus its memory),
	// before calling it.
	if records > w.lim.MaxEntries {
		return tooManyEntries(w.lim.MaxEntries)
	}
	zr, err := zip.NewReader(w.src, w.size)
	// ErrInsecurePath comes with a usable reader; the names are checked
	// below, more strictly.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return w.formatError(err)
	}
	for _, f := range zr.File {
		if err := w.zipEntry(f); err != nil {
			return err
		}
	}
	return nil
}

// zipEntry checks one zip entry and visits it.
func (w *walker) zipEntry(f *zip.File) error {
	if err := w.countHeader(); err != nil {
		return err
	}
	clean, dirHint, err := checkEntryName(f.Name)
	if err != nil {
		return err
	}
	dir, err := zipEntryType(f, dirHint)
	if err != nil {
		return err
	}
	switch {
	case f.Flags&0x1 != 0:
		// Go cannot decrypt, so the content could not be checked; and GLPI
		// would not know the password either.
		return glpinet.Errorf(glpinet.EINVALID, "%q is encrypted: plugin archives must not be password-protected", f.Name)
	case dir && f.UncompressedSize64 != 0:
		return folderContentError(f.Name)
	case f.Method != zip.Store && f.Method != zip.Deflate && (!dir || f.CompressedSize64 != 0):
		// A folder's method matters only when it has bytes to unpack.
		return glpinet.Errorf(glpinet.EINVALID,
			"%q uses compression method %d, which is not supported: use deflate (the default of zip tools) or no compression", f.Name, f.Method)
	case !dir && f.UncompressedSize64 > uint64(w.lim.MaxEntrySize):
		// Declared sizes are never trusted to accept an entry (the actual
		// bytes are counted), but one declared too large is reason enough
		// to reject it without decompressing.
		return glpinet.Errorf(glpinet.EINVALID, "%q is larger than %s uncompressed, the maximum for one file",
			f.Name, formatSize(w.lim.MaxEntrySize))
	}
	if dir {
		if err := w.checkEmptyFolder(f); err != nil {
			return err
		}
	}
	e, skip, err := w.accept(clean, f.Name, dir)
	if err != nil || skip {
		return err
	}
	if dir {
		return w.visitEntry(e, nil)
	}
	e.Exec = f.Mode()&0o111 != 0
	rc, err := f.Open()
	if err != nil {
		return w.formatError(fmt.Errorf("%s: %w", f.Name, err))
	}
	defer rc.Close()
	return w.visitEntry(e, rc)
}

// checkEmptyFolder rejects a folder entry that unpacks to something. A
// folder may have compressed bytes that unpack to nothing: Python's
// zipfile deflates folder entries into an empty deflate stream (2 bytes),
// and PHP's ZipArchive and unzip accept that. Its declared size is not
// trusted: the stored bytes are decompressed here, at most one byte past
// nothing (archive/zip's Open returns nothing for a folder without reading
// its bytes).
func (w *walker) checkEmptyFolder(f *zip.File) error {
	if f.CompressedSize64 == 0 {
		return nil
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return w.formatError(fmt.Errorf("%s: %w", f.Name, err))
	}
	var body io.Reader = raw
	if f.Method == zip.Deflate {
		fr := flate.NewReader(raw)
		defer fr.Close()
		body = fr
	}
	var one [1]byte
	n, err := io.ReadFull(body, one[:])
	switch {
	case n > 0:
		return folderContentError(f.Name)
	case w.src.err != nil:
		return w.ioError()
	case err != io.EOF:
		return glpinet.Errorf(glpinet.EINVALID, "the archive is corrupt: %q cannot be decompressed (%v)", f.Name, err)
	case f.CRC32 != 0:
		// The CRC-32 of nothing is 0.
		return glpinet.Errorf(glpinet.EINVALID, "the archive is corrupt: %q cannot be decompressed (%v)", f.Name, zip.ErrChecksum)
	}
	return nil
}

func folderContentError(name string) error {
	return glpinet.Errorf(glpinet.EINVALID, "invalid entry %q: a folder entry must not have content", name)
}

// zipEntryType tells whether a zip entry is a folder, and rejects entries
// that are neither a folder nor a regular file. Both the mode archive/zip
// derives from the creator system and the raw Unix type bits are checked:
// some extractors honour the Unix bits whatever the declared creator.
func zipEntryType(f *zip.File, dirHint bool) (dir bool, err error) {
	mode := f.Mode()
	unixType := (f.ExternalAttrs >> 16) & unixTypeMask
	switch {
	case mode&fs.ModeSymlink != 0 || unixType == unixSymlink:
		return false, linkError(f.Name, "a symbolic link")
	case mode&fs.ModeDevice != 0 || unixType == unixChar || unixType == unixBlock:
		return false, specialError(f.Name, "a device file")
	case mode&fs.ModeNamedPipe != 0 || unixType == unixFIFO:
		return false, specialError(f.Name, "a named pipe (FIFO)")
	case mode&fs.ModeSocket != 0 || unixType == unixSocket:
		return false, specialError(f.Name, "a socket")
	case mode&fs.ModeType&^fs.ModeDir != 0 || unixType != 0 && unixType != unixDir && unixType != unixRegular:
		return false, specialError(f.Name, "of an unknown type")
	case dirHint && unixType == unixRegular:
		return false, glpinet.Errorf(glpinet.EINVALID, "invalid entry %q: its name ends with \"/\" but it is marked as a file", f.Name)
	case !dirHint && mode.IsDir():
		// Extractors (GLPI's included) decide from the trailing slash, so
		// this entry would be a file for them and a folder for others.
		return false, glpinet.Errorf(glpinet.EINVALID, "invalid entry %q: it is marked as a folder but its name does not end with \"/\"", f.Name)
	}
	return dirHint, nil
}

func linkError(name, what string) error {
	return glpinet.Errorf(glpinet.EINVALID, "%q is %s: links are not allowed in plugin archives", name, what)
}

func specialError(name, what string) error {
	return glpinet.Errorf(glpinet.EINVALID, "%q is %s: only regular files and folders are allowed in plugin archives", name, what)
}

// scanZip reads the whole archive once, returning its SHA-256 and the
// number of central directory signatures it contains (an upper bound on
// the number of entries archive/zip can find).
func scanZip(r io.ReaderAt, size int64) (sum []byte, records int, err error) {
	h := sha256.New()
	buf := make([]byte, 64<<10)
	// carry holds the last bytes of the previous chunk, so that signatures
	// straddling two chunks are counted too.
	keep := len(centralHeaderSig) - 1
	var carry []byte
	for off := int64(0); off < size; {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if n == 0 && err != nil {
			return nil, 0, err
		}
		chunk := buf[:n]
		h.Write(chunk)
		joined := append(carry, chunk[:min(n, keep)]...)
		records += bytes.Count(joined, centralHeaderSig) + bytes.Count(chunk, centralHeaderSig)
		carry = append(carry[:0], chunk[max(0, n-keep):]...)
		off += int64(n)
	}
	return h.Sum(nil), records, nil
}
