package httpx

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/pluginarchive"
)

// maxUploadName bounds an uploaded archive's file name.
const maxUploadName = 200

// maxUploadParts bounds the number of parts of an upload form.
const maxUploadParts = 64

// Uploads receives archives sent by clients (the portal's form, the
// management API's body) into private folders of Dir.
type Uploads struct {
	// Dir is where request bodies being received are written: a folder
	// inside the data folder, private to the server. Empty: the system's
	// temporary folder.
	Dir string
	// FieldBytes bounds the other fields of an upload form, together.
	FieldBytes int64
}

// Upload is an archive received from a client, written to a private
// folder of Uploads.Dir that Remove deletes.
type Upload struct {
	dir  string
	Path string // the archive, named as the client named it
}

// Remove deletes the archive and its folder.
func (u *Upload) Remove() {
	if u != nil && u.dir != "" {
		os.RemoveAll(u.dir)
	}
}

// dir is where request bodies are written: the configured folder inside
// the data folder, never the shared system one.
func (u Uploads) dir() string {
	if u.Dir != "" {
		return u.Dir
	}
	return os.TempDir()
}

// UploadName checks a client's name for an archive and returns its base
// name. The name says the format, so it must end with a known extension.
func UploadName(raw string) (string, error) {
	name := raw
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	switch {
	case name == "" || name == "." || name == "..":
		return "", glpinet.Errorf(glpinet.EINVALID, "Give the archive's file name, e.g. glpi-foo-1.0.0.tar.gz.")
	case len(name) > maxUploadName || !utf8.ValidString(name):
		return "", glpinet.Errorf(glpinet.EINVALID, "The archive's file name must be valid UTF-8 of at most %d bytes.", maxUploadName)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", glpinet.Errorf(glpinet.EINVALID, "The archive's file name must not contain control characters.")
	}
	if _, err := pluginarchive.FormatOf(name); err != nil {
		return "", err
	}
	return name, nil
}

// Save writes body to a new private folder of Dir, as a file named name
// (already checked by UploadName).
func (us Uploads) Save(name string, body io.Reader) (*Upload, error) {
	dir, err := os.MkdirTemp(us.dir(), "upload-")
	if err != nil {
		return nil, err
	}
	u := &Upload{dir: dir, Path: filepath.Join(dir, name)}
	f, err := os.OpenFile(u.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		u.Remove()
		return nil, err
	}
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		u.Remove()
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, glpinet.Errorf(glpinet.ETOOLARGE, "The archive is larger than %d MiB.", tooLarge.Limit>>20)
		}
		return nil, glpinet.Errorf(glpinet.EINVALID, "Could not read the archive: %v.", err)
	}
	return u, nil
}

// ReadForm streams a multipart/form-data body: the part named file is
// written with Save, the other fields are kept in memory (at most
// FieldBytes together). Nothing is spooled by net/http, so nothing is
// left behind whatever happens to the request. The caller removes the
// upload, which is nil when the form had no file.
func (us Uploads) ReadForm(r *http.Request, file string) (url.Values, *Upload, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return nil, nil, glpinet.Errorf(glpinet.EUNSUPPORTED, "Send the archive as multipart/form-data.")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, glpinet.Errorf(glpinet.EINVALID, "Could not read the form: %v.", err)
	}
	fields := url.Values{}
	var up *Upload
	fail := func(err error) (url.Values, *Upload, error) {
		up.Remove()
		return nil, nil, err
	}
	budget := us.FieldBytes
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return fail(glpinet.Errorf(glpinet.ETOOLARGE, "The form is larger than %d MiB.", tooLarge.Limit>>20))
			}
			return fail(glpinet.Errorf(glpinet.EINVALID, "Could not read the form: %v.", err))
		}
		if parts >= maxUploadParts {
			return fail(glpinet.Errorf(glpinet.EINVALID, "The form has too many fields."))
		}
		name := p.FormName()
		if name == file && p.FileName() != "" {
			if up != nil {
				return fail(glpinet.Errorf(glpinet.EINVALID, "Send one archive at a time."))
			}
			base, err := UploadName(p.FileName())
			if err != nil {
				return fail(err)
			}
			if up, err = us.Save(base, p); err != nil {
				return fail(err)
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p, budget+1))
		if err != nil {
			return fail(glpinet.Errorf(glpinet.EINVALID, "Could not read the form: %v.", err))
		}
		if budget -= int64(len(b)); budget < 0 {
			return fail(glpinet.Errorf(glpinet.ETOOLARGE, "The form's fields are larger than %d KiB.", us.FieldBytes>>10))
		}
		fields.Add(name, string(b))
	}
	return fields, up, nil
}
