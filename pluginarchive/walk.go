package pluginarchive

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/glpinet/glpinet"
)

// entry is an archive member that passed the entry-level checks.
type entry struct {
	Name string // normalised path (see checkEntryName), starting with the key
	Raw  string // name as stored, for messages
	Dir  bool
	// Exec reports a file whose stored mode has an execute bit, which the
	// extractor keeps (scripts shipped in bin/ folders).
	Exec bool
}

// visitFunc is called by walk for every accepted entry, in archive order.
// body is nil for folders; for files it yields the content, counted against
// the limits as it is read. Whatever the visitor leaves unread, walk reads
// and discards, so every check happens whatever the visitor does. An error
// returned by the visitor stops the walk and is returned as is, unless it
// was caused by reading body (then walk reports what went wrong with the
// archive instead).
type visitFunc func(e entry, body io.Reader) error

// walkResult is what walk learns about the archive as a whole.
type walkResult struct {
	Key     string // the single top folder
	Format  Format
	Entries int   // accepted entries: files and stored folders
	Total   int64 // uncompressed bytes of all files
	SHA256  []byte
}

// walk validates the archive r of the given size and calls visit for each
// entry. It applies every archive-level and entry-level rule: size limits,
// content matching the extension, valid structure, safe names, allowed
// entry types, no duplicates, a single top folder that is a valid plugin
// key, and bounded decompression. The extractor must use it too, so that
// what is extracted is exactly what was checked.
func walk(r io.ReaderAt, size int64, filename string, lim Limits, visit visitFunc) (*walkResult, error) {
	lim = lim.withDefaults()
	format, err := FormatOf(filename)
	if err != nil {
		return nil, err
	}
	switch {
	case size <= 0:
		return nil, glpinet.Errorf(glpinet.EINVALID, "%q is empty", filename)
	case size > lim.MaxArchiveSize:
		return nil, glpinet.Errorf(glpinet.EINVALID, "the archive is %d bytes, more than the %s allowed",
			size, formatSize(lim.MaxArchiveSize))
	}
	w := &walker{
		filename: filename,
		format:   format,
		size:     size,
		lim:      lim,
		src:      &trackingReaderAt{r: r, size: size},
		paths:    newPathSet(lim.MaxEntries),
		visit:    visit,
		res:      walkResult{Format: format},
	}
	if err := checkMagic(w.src, size, filename, format); err != nil {
		return nil, err
	}
	if format == FormatZip {
		err = w.walkZip()
	} else {
		err = w.walkTar()
	}
	if err != nil {
		return nil, err
	}
	if w.res.Key == "" {
		return nil, glpinet.Errorf(glpinet.EINVALID, "the archive contains no files")
	}
	return &w.res, nil
}

// walker holds the state of one walk, shared by the format-specific code.
type walker struct {
	filename string
	format   Format
	size     int64
	lim      Limits
	src      *trackingReaderAt
	paths    *pathSet
	visit    visitFunc
	res      walkResult

	headers int   // entries seen in the archive, skipped ones included
	stream  int64 // (tar) decompressed tar stream bytes, headers included
	// err is the first limit violation detected inside a reader. Archive
	// libraries may wrap or replace the errors their source returns, so the
	// violation is remembered here rather than recognised in their errors.
	err error
}

// countHeader bounds the number of archive entries looked at, including
// those skipped (tar's global headers and "./").
func (w *walker) countHeader() error {
	w.headers++
	if w.headers > w.lim.MaxEntries {
		return tooManyEntries(w.lim.MaxEntries)
	}
	return nil
}

// accept applies the rules shared by all formats to an entry whose name and
// type were already checked, and registers it. skip reports an entry that
// stands for the archive root itself ("./"), which has nothing to extract.
func (w *walker) accept(clean, raw string, dir bool) (e entry, skip bool, err error) {
	if clean == "" {
		if dir {
			return entry{}, true, nil
		}
		return entry{}, false, glpinet.Errorf(glpinet.EINVALID, "invalid entry %q: a file must have a name", raw)
	}
	top, rest, _ := strings.Cut(clean, "/")
	if rest == "" && !dir {
		return entry{}, false, glpinet.Errorf(glpinet.EINVALID,
			"%q is not inside a folder: the archive must contain a single top folder named after the plugin key, holding setup.php and the other files", raw)
	}
	switch {
	case w.res.Key == "":
		if !isPluginKey(top) {
			return entry{}, false, glpinet.Errorf(glpinet.EINVALID,
				"the top folder %q must be named after the plugin key, which GLPI restricts to lower-case letters and digits (^[a-z0-9]+$): rename the folder to the plugin key%s", top, macOSHint(top))
		}
		w.res.Key = top
	case top != w.res.Key:
		return entry{}, false, glpinet.Errorf(glpinet.EINVALID,
			"the archive must contain a single top folder named after the plugin key, but it has both %q and %q%s", w.res.Key, top, macOSHint(top))
	}
	if err := w.paths.add(clean, raw, dir); err != nil {
		return entry{}, false, err
	}
	w.res.Entries++
	return entry{Name: clean, Raw: raw, Dir: dir}, false, nil
}

// macOSHint explains the most common stray top folder: the Finder's
// "Compress" adds resource forks under __MACOSX/.
func macOSHint(top string) string {
	if top == "__MACOSX" {
		return " (macOS Finder adds __MACOSX when compressing: create the archive with \"zip -r\" or remove that folder)"
	}
	return ""
}

// visitEntry hands an accepted entry to the visitor, then drains its body.
func (w *walker) visitEntry(e entry, body io.Reader) error {
	if e.Dir {
		return w.visit(e, nil)
	}
	er := &entryReader{w: w, r: body, raw: e.Raw}
	if err := w.visit(e, er); err != nil {
		return w.entryError(err, er)
	}
	if _, err := io.Copy(io.Discard, er); err != nil {
		return w.entryError(err, er)
	}
	return nil
}

// entryError tells apart why reading an entry failed: a limit, the
// underlying file, a corrupt archive, or the visitor's own failure.
func (w *walker) entryError(err error, er *entryReader) error {
	switch {
	case w.err != nil:
		return w.err
	case w.src.err != nil:
		return w.ioError()
	case er.readErr != nil:
		return glpinet.Errorf(glpinet.EINVALID, "the archive is corrupt: %q cannot be decompressed (%v)", er.raw, er.readErr)
	}
	return err
}

// formatError reports an error returned by an archive library, which is
// the archive's fault unless a limit or reading the file is to blame.
func (w *walker) formatError(err error) error {
	switch {
	case w.err != nil:
		return w.err
	case w.src.err != nil:
		return w.ioError()
	}
	return glpinet.Errorf(glpinet.EINVALID, "%q is not a valid %s archive (%v)", w.filename, w.format, err)
}

func (w *walker) ioError() error {
	return fmt.Errorf("pluginarchive: reading %s: %w", w.filename, w.src.err)
}

// fail records the first limit violation and returns it.
func (w *walker) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// checkRatio rejects a compression bomb as soon as the data expanded so far
// reveals it, rather than after decompressing all of it.
func (w *walker) checkRatio(expanded int64) error {
	if expanded > ratioFloor && expanded/w.size > int64(w.lim.MaxRatio) {
		return w.fail(glpinet.Errorf(glpinet.EINVALID,
			"the archive expands to more than %d times its size: this looks like a compression bomb", w.lim.MaxRatio))
	}
	return nil
}

// entryReader counts the bytes actually decompressed for one file, never
// trusting declared sizes, and stops one byte past a limit so that a bomb
// costs at most that much work.
type entryReader struct {
	w       *walker
	r       io.Reader
	raw     string
	n       int64
	readErr error // first error of r other than io.EOF
}

func (er *entryReader) Read(p []byte) (int, error) {
	w := er.w
	if w.err != nil {
		return 0, w.err
	}
	if allowed := min(w.lim.MaxEntrySize-er.n, w.lim.MaxTotalSize-w.res.Total) + 1; int64(len(p)) > allowed {
		p = p[:allowed]
	}
	n, err := er.r.Read(p)
	er.n += int64(n)
	w.res.Total += int64(n)
	switch {
	case er.n > w.lim.MaxEntrySize:
		return n, w.fail(glpinet.Errorf(glpinet.EINVALID, "%q is larger than %s uncompressed, the maximum for one file",
			er.raw, formatSize(w.lim.MaxEntrySize)))
	case w.res.Total > w.lim.MaxTotalSize:
		return n, w.fail(glpinet.Errorf(glpinet.EINVALID, "the archive's files total more than %s uncompressed, the maximum",
			formatSize(w.lim.MaxTotalSize)))
	}
	if err := w.checkRatio(w.res.Total); err != nil {
		return n, err
	}
	if err != nil && err != io.EOF && er.readErr == nil {
		er.readErr = err
	}
	return n, err
}

// trackingReaderAt remembers the first real error of the archive's source,
// so that a failing disk is reported as an I/O error rather than blamed on
// the vendor's archive. Reads outside the archive, which corrupt offsets in
// an archive ask for (even negative ones), never reach the source: they
// are the archive's fault and end like reads past its end.
type trackingReaderAt struct {
	r    io.ReaderAt
	size int64
	err  error
}

func (t *trackingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= t.size {
		return 0, io.EOF
	}
	var clipped bool
	if int64(len(p)) > t.size-off {
		p, clipped = p[:t.size-off], true
	}
	n, err := t.r.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) && t.err == nil {
		t.err = err
	}
	if err == nil && clipped {
		err = io.EOF
	}
	return n, err
}

// formatSize renders a byte count for vendors, exactly: limits are set
// in round units, and a rounded figure could look like it fits.
func formatSize(n int64) string {
	const kib, mib = 1 << 10, 1 << 20
	switch {
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= kib && n%kib == 0:
		return fmt.Sprintf("%d KiB", n/kib)
	}
	return fmt.Sprintf("%d bytes", n)
}
