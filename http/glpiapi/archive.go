package glpiapi

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/signing"
)

// contentTypes of the archive formats. Set explicitly: GLPI detects the
// format by the URL's file name, and nothing must content-negotiate or sniff.
var contentTypes = map[string]string{
	"zip":     "application/zip",
	"tar.gz":  "application/gzip",
	"tar.bz2": "application/x-bzip2",
}

// handleArchive serves a version's archive: exactly 200 with Content-Length
// (GLPI's progress bar needs it), Range requests for resumable downloads,
// and a valid, entitled X-Registration-Key when the version is gated.
func (h *Handler) handleArchive(w http.ResponseWriter, r *http.Request) {
	cat := h.catalogue(w, r)
	if cat == nil {
		return
	}
	key, num := r.PathValue("key"), r.PathValue("version")
	v := cat.Version(key, num)
	if v == nil || v.Yanked || r.PathValue("file") != v.Archive.Filename {
		h.error(w, r, glpinet.Errorf(glpinet.ENOTFOUND, "There is no archive %s for %s %s.", r.PathValue("file"), key, num))
		return
	}
	if len(v.RequiredOffers) > 0 {
		addr := h.clientKey(r)
		ctx, _ := h.keyContext(r, addr)
		val, err := h.Validator.Validate(ctx, r.Header.Get("X-Registration-Key"))
		if err == glpinet.ErrRecheckBudget {
			h.verdicts.Allow(addr, h.Now())
			h.refuseUnknownKeys(w, r)
			return
		}
		if err != nil {
			h.error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "Registration information is temporarily unavailable; try again shortly."))
			return
		}
		h.sighting(r, val)
		if val.Code == glpinet.ValidationUnknown || val.Code == glpinet.ValidationMalformed {
			h.verdicts.Allow(addr, h.Now())
		}
		if !val.IsRunning() {
			h.error(w, r, glpinet.Errorf(glpinet.EUNAUTHORIZED, "This plugin needs a valid registration key with a running subscription (%s).", val.Code))
			return
		}
		if !glpinet.Entitled(val, v.RequiredOffers, cat.OfferMap()) {
			h.error(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "This plugin needs a higher offer than %s.", val.Offer.Reference))
			return
		}
	}
	f, err := h.openArchive(r.Context(), v.Archive)
	if err != nil {
		h.error(w, r, err)
		return
	}
	defer f.Close()
	hdr := w.Header()
	hdr.Set("Content-Type", contentTypes[v.Archive.Format])
	hdr.Set("Content-Disposition", `attachment; filename="`+v.Archive.Filename+`"`)
	hdr.Set("ETag", `"`+v.Archive.SHA256+`"`)
	if sum, err := hex.DecodeString(v.Archive.SHA256); err == nil {
		hdr.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	hdr.Set("Cache-Control", "private, max-age=3600")
	h.Metrics.Downloads.WithLabelValues("archive").Inc()
	http.ServeContent(w, r, v.Archive.Filename, v.CreatedAt, f)
}

// ArchiveFiles opens the file of an archive to serve, checked: a file
// that is not the archive's is never returned.
type ArchiveFiles interface {
	Open(ctx context.Context, a glpinet.Archive) (*os.File, error)
}

// openArchive opens a's file, through Archives when set. The handler
// serves an *os.File so that http.ServeContent sends it with sendfile.
func (h *Handler) openArchive(ctx context.Context, a glpinet.Archive) (*os.File, error) {
	if h.Archives != nil {
		return h.Archives.Open(ctx, a)
	}
	return os.Open(filepath.Join(h.ArchiveDir, filepath.FromSlash(a.Path)))
}

// signingKeyJSON is the body of signing-key.
type signingKeyJSON struct {
	Algorithm string `json:"algorithm"`
	PublicKey string `json:"public_key"` // standard base64 of the 32-byte key
	// Message describes what each version's signature covers.
	Message string `json:"message"`
}

// handleSigningKey publishes the public key that verifies each version's
// "signature" (see signing.Message), so that a client can check that
// an archive is the one the catalogue's operator published.
func (h *Handler) handleSigningKey(w http.ResponseWriter, r *http.Request) {
	if h.SigningKey == nil {
		h.error(w, r, glpinet.Errorf(glpinet.ENOTFOUND, "This server does not sign archives."))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, signingKeyJSON{Algorithm: signing.Algorithm, PublicKey: signing.PublicKeyText(h.SigningKey), Message: signing.MessageFormat})
}
