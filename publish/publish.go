// Package publish adds plugin versions to the catalogue: it inspects the
// archive, stores it under the archive directory atomically, signs it and
// records the version (with the archive's bytes, when the store keeps
// archives: see glpinet.ArchiveStore), so that a rejected archive leaves
// nothing behind.
package publish

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/atomicfile"
	"github.com/glpinet/glpinet/phpver"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/signing"
)

// Publisher publishes archives into a store and an archive directory. When
// the store is also a glpinet.ArchiveStore, the archive goes into the
// database as well, in the transaction that records the version.
type Publisher struct {
	Store      glpinet.PluginStore
	ArchiveDir string
	Limits     pluginarchive.Limits
	// SigningKey signs every archive (see signing.Message); nil to not sign.
	SigningKey ed25519.PrivateKey
}

var _ glpinet.Publisher = (*Publisher)(nil)

// Publish inspects the archive at path and publishes it. Returns EINVALID
// (archive rejected, bad options), ECONFLICT (version exists, no Force).
func (p *Publisher) Publish(ctx context.Context, path string, opts glpinet.PublishOptions) (*glpinet.PublishResult, error) {
	// One open file for inspecting, hashing and copying: what is stored is
	// exactly what was checked, even if the path is replaced meanwhile.
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, glpinet.Errorf(glpinet.EINVALID, "There is no file %s.", path)
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, glpinet.Errorf(glpinet.EINVALID, "%s is not a regular file.", path)
	}
	m, err := pluginarchive.Inspect(f, st.Size(), filepath.Base(path), p.Limits)
	if err != nil {
		return nil, err
	}
	if !glpinet.VersionNumPattern.MatchString(m.Version) {
		return nil, glpinet.Errorf(glpinet.EINVALID, "setup.php declares version %q, which cannot be used in a download URL: use letters, digits and . + _ - only.", m.Version)
	}
	compat := opts.Compatibility
	if compat == "" {
		compat = m.Compatibility
	}
	if _, err := phpver.ParseConstraint(compat); err != nil {
		return nil, glpinet.Errorf(glpinet.EINVALID, "Compatibility: %v", err)
	}
	stability := opts.Stability
	if stability == "" {
		stability = StabilityOf(m.Version)
	}

	plugin, err := p.Store.FindPlugin(ctx, m.Key)
	switch glpinet.ErrorCode(err) {
	case "":
	case glpinet.ENOTFOUND:
		plugin = &glpinet.Plugin{Key: m.Key}
	default:
		return nil, err
	}
	applySetup(plugin, m)
	opts.Meta.Apply(plugin)
	// Checked before storing the archive, so that refused metadata
	// leaves nothing behind; the store checks again.
	if err := plugin.Validate(); err != nil {
		if plugin.HomepageURL == m.Homepage && glpinet.CheckLink("homepage", m.Homepage) != nil {
			// Say where the link came from: the vendor's setup.php.
			err = glpinet.CheckLink("homepage in setup.php", m.Homepage)
		}
		return nil, err
	}

	ext := string(m.Format)
	filename := "glpi-" + m.Key + "-" + m.Version + "." + ext
	// The SHA-256 in the path makes every stored file immutable: a forced
	// re-publication writes a new file instead of changing one that a
	// download may be reading.
	rel := m.Key + "/" + m.Version + "/" + m.SHA256[:16] + "/" + filename
	created, err := copyAtomic(io.NewSectionReader(f, 0, st.Size()), m.SHA256, filepath.Join(p.ArchiveDir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	v := &glpinet.Version{
		Num: m.Version, Compatibility: compat, Stability: stability, RequiredOffers: opts.RequiredOffers,
		Archive: glpinet.Archive{Filename: filename, Format: ext, Size: m.Size, SHA256: m.SHA256, Path: rel},
	}
	if p.SigningKey != nil {
		v.Archive.Signature = signing.Sign(p.SigningKey, m.Key, m.Version, m.SHA256)
	}
	if err := p.record(ctx, plugin, v, opts.Force, f); err != nil {
		if created {
			os.Remove(filepath.Join(p.ArchiveDir, filepath.FromSlash(rel)))
		}
		return nil, err
	}
	return &glpinet.PublishResult{Plugin: plugin, Version: v, Entries: m.Entries, UncompressedSize: m.UncompressedSize}, nil
}

// record stores the version, and with it the archive's bytes when the
// store keeps archives (PostgreSQL: replicas without a shared disk fetch
// it from there), in one transaction: a version never refers to a blob
// that is not there.
func (p *Publisher) record(ctx context.Context, plugin *glpinet.Plugin, v *glpinet.Version, force bool, archive io.ReaderAt) error {
	if as, ok := p.Store.(glpinet.ArchiveStore); ok {
		return as.PublishVersionArchive(ctx, plugin, v, force, archive)
	}
	return p.Store.PublishVersion(ctx, plugin, v, force)
}

// applySetup fills what setup.php declares where the catalogue has nothing.
func applySetup(p *glpinet.Plugin, m *pluginarchive.Manifest) {
	if p.Name == "" {
		p.Name = m.Name
	}
	if p.Name == "" {
		p.Name = m.Key
	}
	if p.License == "" {
		p.License = m.License
	}
	if p.HomepageURL == "" {
		p.HomepageURL = m.Homepage
	}
	if len(p.Authors) == 0 && m.Author != "" {
		for _, a := range strings.Split(m.Author, ",") {
			if a = strings.TrimSpace(a); a != "" {
				p.Authors = append(p.Authors, a)
			}
		}
	}
}

// StabilityOf guesses a version's stability from its number the way
// Composer does: 1.0.0-dev → dev, 1.0.0-alpha2 → alpha, 1.0.0-beta1 →
// beta, 1.0.0-rc1 → RC, anything else stable.
func StabilityOf(num string) string {
	n := strings.ToLower(num)
	switch {
	case strings.Contains(n, "dev"):
		return "dev"
	case strings.Contains(n, "alpha"):
		return "alpha"
	case strings.Contains(n, "beta"):
		return "beta"
	case strings.Contains(n, "rc"):
		return "RC"
	}
	return glpinet.StabilityStable
}

// copyAtomic copies src to dst through a temporary file in dst's folder,
// synced and linked into place, so that dst is either absent or whole, and
// only if what it copied has the expected SHA-256. It reports whether it
// created dst (false when the content-addressed path already existed, or
// another replica created it meanwhile: same path, same bytes).
func copyAtomic(src io.Reader, wantSHA256, dst string) (bool, error) {
	if _, err := os.Stat(dst); err == nil {
		return false, nil
	}
	tmp, err := atomicfile.CreateAll(dst, 0o640, 0o750)
	if err != nil {
		return false, err
	}
	defer tmp.Abort()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), src); err != nil {
		return false, fmt.Errorf("store archive: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA256 {
		return false, glpinet.Errorf(glpinet.EINVALID, "The archive changed while it was being published; publish it again once it is complete.")
	}
	if err := tmp.CommitNew(); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, nil
}
