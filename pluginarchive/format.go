package pluginarchive

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/glpinet/glpinet"
)

// Format is an archive format accepted for plugin archives. Its value is the
// canonical file-name extension without the leading dot.
type Format string

// The archive formats GLPI can extract.
const (
	FormatZip    Format = "zip"
	FormatTarGz  Format = "tar.gz"
	FormatTarBz2 Format = "tar.bz2"
)

// extensions maps each accepted file-name suffix (lower case) to its format.
// Longer suffixes come first so that ".tar.gz" is not mistaken for ".gz".
var extensions = []struct {
	suffix string
	format Format
}{
	{".tar.bz2", FormatTarBz2},
	{".tar.gz", FormatTarGz},
	{".tbz2", FormatTarBz2},
	{".tgz", FormatTarGz},
	{".zip", FormatZip},
}

// FormatOf returns the archive format named by filename's extension
// (case-insensitive): .zip, .tar.gz or .tgz, .tar.bz2 or .tbz2. Any other
// name is rejected with a glpinet.EINVALID error; the content is not looked
// at (Inspect checks that it matches).
func FormatOf(filename string) (Format, error) {
	lower := strings.ToLower(filename)
	for _, e := range extensions {
		if strings.HasSuffix(lower, e.suffix) {
			return e.format, nil
		}
	}
	return "", glpinet.Errorf(glpinet.EINVALID,
		"%q is not a supported plugin archive: the file name must end with .zip, .tar.gz, .tgz, .tar.bz2 or .tbz2", filename)
}

// Magic numbers at the start of each format. An empty zip archive starts with
// the end-of-central-directory record rather than a local file header; it is
// still a zip (and is rejected later for having no entries).
var (
	magicZip      = []byte("PK\x03\x04")
	magicZipEmpty = []byte("PK\x05\x06")
	magicGzip     = []byte("\x1f\x8b")
	magicBzip2    = []byte("BZh")
)

// sniff returns the format the content's leading bytes announce, or "" when
// they match none of the accepted formats.
func sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, magicZip), bytes.HasPrefix(head, magicZipEmpty):
		return FormatZip
	case bytes.HasPrefix(head, magicGzip):
		return FormatTarGz
	case bytes.HasPrefix(head, magicBzip2):
		return FormatTarBz2
	}
	return ""
}

// checkMagic rejects content that does not match the format announced by the
// file name. Vendors do rename archives by hand, and GLPI picks its extractor
// from the name, so a mismatch would make the plugin impossible to install.
func checkMagic(r io.ReaderAt, size int64, filename string, want Format) error {
	head := make([]byte, min(size, 4))
	n, err := r.ReadAt(head, 0)
	if n < len(head) && err != nil {
		return fmt.Errorf("pluginarchive: reading archive header: %w", err)
	}
	got := sniff(head[:n])
	if got == want {
		return nil
	}
	if got == "" {
		return glpinet.Errorf(glpinet.EINVALID,
			"%q is not a valid %s archive: its content does not start like one", filename, want)
	}
	return glpinet.Errorf(glpinet.EINVALID,
		"%q is named like a %s archive but its content is a %s archive: rename it with the right extension", filename, want, got)
}
