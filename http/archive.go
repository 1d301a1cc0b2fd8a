package http

import (
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"

	"github.com/glpinet/glpinet"
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
func (s *Server) handleArchive(w http.ResponseWriter, r *http.Request) {
	cat := s.catalogue(w, r)
	if cat == nil {
		return
	}
	key, num := r.PathValue("key"), r.PathValue("version")
	v := cat.Version(key, num)
	if v == nil || v.Yanked || r.PathValue("file") != v.Archive.Filename {
		s.Error(w, r, glpinet.Errorf(glpinet.ENOTFOUND, "There is no archive %s for %s %s.", r.PathValue("file"), key, num))
		return
	}
	if len(v.RequiredOffers) > 0 {
		addr := clientKey(s.clientIP(r))
		ctx, _ := s.keyContext(r, addr)
		val, err := s.Validator.Validate(ctx, r.Header.Get("X-Registration-Key"))
		if err == glpinet.ErrRecheckBudget {
			s.verdicts.allow(addr, s.Now())
			s.refuseUnknownKeys(w, r)
			return
		}
		if err != nil {
			s.Error(w, r, glpinet.Errorf(glpinet.EUNAVAILABLE, "Registration information is temporarily unavailable; try again shortly."))
			return
		}
		s.sighting(r, val)
		if val.Code == glpinet.ValidationUnknown || val.Code == glpinet.ValidationMalformed {
			s.verdicts.allow(addr, s.Now())
		}
		if !val.IsRunning() {
			s.Error(w, r, glpinet.Errorf(glpinet.EUNAUTHORIZED, "This plugin needs a valid registration key with a running subscription (%s).", val.Code))
			return
		}
		if !glpinet.Entitled(val, v.RequiredOffers, cat.OfferMap()) {
			s.Error(w, r, glpinet.Errorf(glpinet.EFORBIDDEN, "This plugin needs a higher offer than %s.", val.Offer.Reference))
			return
		}
	}
	f, err := os.Open(filepath.Join(s.ArchiveDir, filepath.FromSlash(v.Archive.Path)))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", contentTypes[v.Archive.Format])
	h.Set("Content-Disposition", `attachment; filename="`+v.Archive.Filename+`"`)
	h.Set("ETag", `"`+v.Archive.SHA256+`"`)
	if sum, err := hex.DecodeString(v.Archive.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	h.Set("Cache-Control", "private, max-age=3600")
	s.metrics.downloads.WithLabelValues("archive").Inc()
	http.ServeContent(w, r, v.Archive.Filename, v.CreatedAt, f)
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
func (s *Server) handleSigningKey(w http.ResponseWriter, r *http.Request) {
	if s.SigningKey == nil {
		s.Error(w, r, glpinet.Errorf(glpinet.ENOTFOUND, "This server does not sign archives."))
		return
	}
	writeJSON(w, http.StatusOK, signingKeyJSON{Algorithm: signing.Algorithm, PublicKey: signing.PublicKeyText(s.SigningKey), Message: signing.MessageFormat})
}
