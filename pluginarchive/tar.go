package pluginarchive

import (
	"archive/tar"
	"compress/bzip2"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"io"
	"strings"

	"github.com/glpinet/glpinet"
)

// tarEntryOverhead is the tar stream data allowed per entry on top of the
// file contents: a 512-byte header, up to 511 bytes of padding, and room
// for PAX or GNU long-name records. tarSlack covers the end-of-archive
// blocks and the zero padding tar writes up to its 10 KiB record size.
const (
	tarEntryOverhead = 4 << 10
	tarSlack         = 1 << 20
)

// walkTar walks a tar.gz or tar.bz2 archive in one pass over the
// compressed bytes, hashing them on the way.
func (w *walker) walkTar() error {
	raw := io.NewSectionReader(w.src, 0, w.size)
	h := sha256.New()
	compressed := io.TeeReader(raw, h)
	var dec io.Reader
	if w.format == FormatTarGz {
		zr, err := gzip.NewReader(compressed)
		if err != nil {
			return w.formatError(err)
		}
		dec = zr
	} else {
		dec = bzip2.NewReader(compressed)
	}
	// The tar stream, not only the file contents, must be bounded: headers
	// (PAX records of up to 1 MiB each) and padding expand too.
	stream := &streamReader{w: w, r: dec,
		max: w.lim.MaxTotalSize + int64(w.lim.MaxEntries)*tarEntryOverhead + tarSlack}
	tr := tar.NewReader(stream)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		// ErrInsecurePath comes with a usable header; names are checked
		// below, more strictly.
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return w.formatError(err)
		}
		if err := w.tarEntry(hdr, tr); err != nil {
			return err
		}
	}
	// Read what follows the end-of-archive marker to the end of the
	// compressed stream, so that its checksum is verified and every byte
	// of the file is hashed.
	if _, err := io.Copy(io.Discard, stream); err != nil {
		return w.formatError(err)
	}
	if _, err := io.Copy(h, raw); err != nil {
		return w.formatError(err)
	}
	w.res.SHA256 = h.Sum(nil)
	return nil
}

// tarEntry checks one tar entry and visits it.
func (w *walker) tarEntry(hdr *tar.Header, body io.Reader) error {
	if err := w.countHeader(); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		// Metadata for the whole archive (git archive stores the commit
		// id there); extractors create nothing for it.
		return nil
	}
	clean, dirHint, err := checkEntryName(hdr.Name)
	if err != nil {
		return err
	}
	var dir bool
	switch hdr.Typeflag {
	case tar.TypeReg:
		if isSparse(hdr) {
			return specialError(hdr.Name, "a sparse file")
		}
		if dirHint {
			return glpinet.Errorf(glpinet.EINVALID, "invalid entry %q: its name ends with \"/\" but it is a file", hdr.Name)
		}
	case tar.TypeDir:
		if hdr.Size != 0 {
			// archive/tar reads no data for a folder whatever its size,
			// but other extractors skip that many bytes: they would not
			// see the same entries after it.
			return folderContentError(hdr.Name)
		}
		dir = true
	case tar.TypeSymlink:
		return linkError(hdr.Name, "a symbolic link")
	case tar.TypeLink:
		return linkError(hdr.Name, "a hard link")
	case tar.TypeChar, tar.TypeBlock:
		return specialError(hdr.Name, "a device file")
	case tar.TypeFifo:
		return specialError(hdr.Name, "a named pipe (FIFO)")
	case tar.TypeGNUSparse:
		return specialError(hdr.Name, "a sparse file")
	default:
		return glpinet.Errorf(glpinet.EINVALID,
			"%q has the unsupported tar entry type %q: only regular files and folders are allowed in plugin archives", hdr.Name, hdr.Typeflag)
	}
	if !dir && hdr.Size > w.lim.MaxEntrySize {
		return glpinet.Errorf(glpinet.EINVALID, "%q is larger than %s uncompressed, the maximum for one file",
			hdr.Name, formatSize(w.lim.MaxEntrySize))
	}
	e, skip, err := w.accept(clean, hdr.Name, dir)
	if err != nil || skip {
		return err
	}
	e.Exec = !dir && hdr.Mode&0o111 != 0
	return w.visitEntry(e, body)
}

// isSparse reports a file stored in one of the PAX sparse formats, which
// archive/tar expands but simpler extractors (such as PHP's PharData) do not.
func isSparse(hdr *tar.Header) bool {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// streamReader counts the decompressed tar stream and stops one byte past
// its bound, or as soon as the expansion ratio reveals a bomb.
type streamReader struct {
	w   *walker
	r   io.Reader
	max int64
}

func (s *streamReader) Read(p []byte) (int, error) {
	w := s.w
	if w.err != nil {
		return 0, w.err
	}
	if allowed := s.max - w.stream + 1; int64(len(p)) > allowed {
		p = p[:allowed]
	}
	n, err := s.r.Read(p)
	w.stream += int64(n)
	if w.stream > s.max {
		return n, w.fail(glpinet.Errorf(glpinet.EINVALID,
			"the archive expands to more than %s of tar data (files, headers and padding)", formatSize(s.max)))
	}
	if err := w.checkRatio(w.stream); err != nil {
		return n, err
	}
	return n, err
}
