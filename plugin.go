package glpinet

import (
	"context"
	"io"
	"regexp"
	"time"
)

// PluginKeyPattern is GLPI's rule for plugin keys: the directory name, the
// URL segment and the index of the catalogue.
var PluginKeyPattern = regexp.MustCompile(`^[a-z0-9]+$`)

// Plugin is a catalogue entry, with its versions newest last.
type Plugin struct {
	Key           string        `json:"key"`
	Name          string        `json:"name"`
	LogoURL       string        `json:"logo_url"`
	HomepageURL   string        `json:"homepage_url"`
	IssuesURL     string        `json:"issues_url"`
	ReadmeURL     string        `json:"readme_url"`
	ChangelogURL  string        `json:"changelog_url"`
	License       string        `json:"license"`
	Note          float64       `json:"note"`
	Authors       []string      `json:"authors"`
	Descriptions  []Description `json:"descriptions"` // English first
	Tags          []string      `json:"tags"`         // tag keys
	DownloadCount int64         `json:"download_count"`
	DateAdded     time.Time     `json:"date_added"`
	DateUpdated   time.Time     `json:"date_updated"`
	Versions      []*Version    `json:"versions"`
}

// Description is a plugin's text in one language.
type Description struct {
	Lang  string `json:"lang"`
	Short string `json:"short_description"`
	Long  string `json:"long_description"`
}

// Validate reports an EINVALID error when the plugin cannot be stored,
// its links included (see CheckLink) and the limits on its texts (see
// limits.go).
func (p *Plugin) Validate() error {
	switch {
	case !PluginKeyPattern.MatchString(p.Key):
		return Errorf(EINVALID, "A plugin key is made of lower-case letters and digits only (got %q).", clip(p.Key))
	case p.Name == "":
		return Errorf(EINVALID, "Plugin %s needs a name.", p.Key)
	case p.Note < 0 || p.Note > 5:
		return Errorf(EINVALID, "A plugin note is between 0 and 5.")
	}
	for _, l := range []struct{ field, value string }{
		{"logo URL", p.LogoURL}, {"homepage URL", p.HomepageURL}, {"issues URL", p.IssuesURL},
		{"readme URL", p.ReadmeURL}, {"changelog URL", p.ChangelogURL},
	} {
		if err := CheckLink(l.field, l.value); err != nil {
			return err
		}
	}
	if err := CheckText("plugin name", p.Name, MaxNameLen); err != nil {
		return err
	}
	if err := CheckText("plugin license", p.License, MaxLicenseLen); err != nil {
		return err
	}
	if err := checkCount("authors of a plugin", len(p.Authors), MaxAuthors); err != nil {
		return err
	}
	for _, a := range p.Authors {
		if err := CheckText("plugin author", a, MaxNameLen); err != nil {
			return err
		}
	}
	if err := checkCount("descriptions of a plugin", len(p.Descriptions), MaxLanguages); err != nil {
		return err
	}
	for _, d := range p.Descriptions {
		if len(d.Lang) != 2 {
			return Errorf(EINVALID, "A description language is a 2-letter code (got %q).", clip(d.Lang))
		}
		if err := CheckText("short description ("+d.Lang+")", d.Short, MaxShortDescriptionLen); err != nil {
			return err
		}
		if err := CheckText("long description ("+d.Lang+")", d.Long, MaxDescriptionLen); err != nil {
			return err
		}
	}
	if err := checkCount("tags on a plugin", len(p.Tags), MaxPluginTags); err != nil {
		return err
	}
	for _, t := range p.Tags {
		if err := (&Tag{Key: t}).Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Stability values for plugin versions; GLPI hides anything but stable
// unless prereleases are enabled.
const StabilityStable = "stable"

// Version is one release of a plugin.
type Version struct {
	PluginKey      string    `json:"plugin_key"`
	Num            string    `json:"num"`
	Compatibility  string    `json:"compatibility"` // Composer constraint on the GLPI version; "" = any
	Stability      string    `json:"stability"`
	RequiredOffers []string  `json:"required_offers"` // offers the version needs, any of them; empty = none
	ReleasedAt     time.Time `json:"released_at"`
	Archive        Archive   `json:"archive"`
	Yanked         bool      `json:"yanked"`
	CreatedAt      time.Time `json:"created_at"`
}

// Unlocked reports whether a key whose running offer has level may
// download the version: it requires no offer, or one that level includes.
// GLPI's marketplace gives download links by it; level -1 (no running
// offer) unlocks only what requires none.
func (v *Version) Unlocked(level int, offers map[string]*Offer) bool {
	return len(v.RequiredOffers) == 0 || level >= MinLevel(v.RequiredOffers, offers)
}

// Archive is a version's downloadable file, kept by the server.
type Archive struct {
	Filename string `json:"filename"` // glpi-<key>-<num>.<ext>: GLPI detects the format by it
	Format   string `json:"format"`   // zip, tar.gz, tar.bz2
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	// Signature is the Ed25519 signature of the archive's SHA-256, when the
	// server has a signing key.
	Signature []byte `json:"signature,omitempty"`
	// Path is where the archive is stored, relative to the archive directory.
	Path string `json:"-"`
}

// VersionNumPattern keeps version numbers safe in URL paths, which GLPI
// builds without encoding.
var VersionNumPattern = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+_-]{0,49}$`)

// Validate reports an EINVALID error when the version cannot be stored.
func (v *Version) Validate() error {
	switch {
	case !VersionNumPattern.MatchString(v.Num):
		return Errorf(EINVALID, "A version number is up to 50 letters, digits and . + _ - (got %q).", clip(v.Num))
	case v.Stability == "":
		return Errorf(EINVALID, "A version needs a stability (stable, RC, beta, alpha or dev).")
	case v.Archive.SHA256 == "" || v.Archive.Size <= 0 || v.Archive.Path == "":
		return Errorf(EINVALID, "A version needs its archive.")
	}
	if err := CheckText("version stability", v.Stability, MaxStabilityLen); err != nil {
		return err
	}
	return CheckText("compatibility constraint", v.Compatibility, MaxConstraintLen)
}

// Tag is a catalogue label, with its name per language.
type Tag struct {
	Key   string            `json:"key"`
	Names map[string]string `json:"names"`
}

// Validate reports an EINVALID error when the tag's key is not a URL-safe
// slug (GLPI puts it in URL paths without encoding), or a name is too long
// (MaxTitleLen).
func (t *Tag) Validate() error {
	if !validSlug(t.Key) {
		return Errorf(EINVALID, "A tag key is 1 to 50 characters among a-z, 0-9, '-' and '_' (got %q).", clip(t.Key))
	}
	return checkTranslations("tag name", t.Names, MaxTitleLen)
}

// Name returns the tag's name in lang, falling back to English and then to
// its key.
func (t *Tag) Name(lang string) string {
	if n := t.Names[lang]; n != "" {
		return n
	} else if n := t.Names["en"]; n != "" {
		return n
	}
	return t.Key
}

// PluginStore keeps the catalogue.
type PluginStore interface {
	// PublishVersion creates or updates plugin p's metadata and adds version
	// v. Returns EINVALID, ECONFLICT (the version exists and force is false).
	PublishVersion(ctx context.Context, p *Plugin, v *Version, force bool) error
	// FindPlugin returns a plugin with all its versions. Returns ENOTFOUND.
	FindPlugin(ctx context.Context, key string) (*Plugin, error)
	// ListPlugins returns the whole catalogue by key, with versions (oldest
	// first) and tags.
	ListPlugins(ctx context.Context) ([]*Plugin, error)
	// FindVersion returns one version. Returns ENOTFOUND.
	FindVersion(ctx context.Context, key, num string) (*Version, error)
	// SavePluginMeta updates an existing plugin's catalogue text and tags
	// (not its versions). Returns EINVALID, ENOTFOUND.
	SavePluginMeta(ctx context.Context, p *Plugin) error
	// YankVersion withdraws a version from the catalogue and its downloads
	// (or puts it back). Returns ENOTFOUND.
	YankVersion(ctx context.Context, key, num string, yanked bool) error
	// SignVersions replaces, in one transaction, the archive signature of
	// every version for which sign returns one different from the stored
	// one (after the signing key was lost or replaced), and returns how
	// many changed.
	SignVersions(ctx context.Context, sign func(v *Version) []byte) (int, error)
	// AddDownloads adds n to the download counts of a plugin. Returns ENOTFOUND.
	AddDownloads(ctx context.Context, key string, n int64) error
	// ListTags returns every tag with how many plugins carry it.
	ListTags(ctx context.Context) ([]*TagCount, error)
	// SaveTag creates or updates a tag's names. Returns EINVALID.
	SaveTag(ctx context.Context, t *Tag) error
}

// ArchiveStore keeps the bytes of published archives in the database, as
// content-addressed chunks, so that replicas sharing one database need no
// shared disk: each keeps the archives it serves in a local cache (package
// archivecache) filled from here. It is optional: the postgres store
// implements it; with the sqlite store the data folder is the archives'
// only home. Callers detect it with a type assertion on the Store.
//
// A blob is named by the lower-case hex SHA-256 of its bytes, as
// Archive.SHA256: a stored blob never changes, and storing it again is a
// no-op.
type ArchiveStore interface {
	// PublishVersionArchive is PluginStore.PublishVersion that also stores
	// the archive's bytes, the first v.Archive.Size bytes of archive, in
	// the same transaction: a version is never visible without its blob,
	// and a publication the store refuses leaves no blob behind. Returns
	// EINVALID (also when the bytes are not v.Archive's size and SHA-256),
	// ECONFLICT (the version exists and force is false).
	PublishVersionArchive(ctx context.Context, p *Plugin, v *Version, force bool, archive io.ReaderAt) error
	// PutArchive stores the size bytes read from r as the blob sha256,
	// unless that blob is stored already (r is then not read). Returns
	// EINVALID when r's bytes do not have that size and SHA-256 (nothing
	// is stored then).
	PutArchive(ctx context.Context, sha256 string, size int64, r io.Reader) error
	// OpenArchive streams the blob sha256 and returns its recorded size.
	// The bytes are read as stored, a chunk at a time: the caller checks
	// them against the version before trusting them (a reader that finds
	// a chunk missing or of the wrong length fails with EINTERNAL).
	// Returns ENOTFOUND.
	OpenArchive(ctx context.Context, sha256 string) (io.ReadCloser, int64, error)
	// MissingArchives returns, once per SHA-256, the archives that
	// versions (yanked ones included) refer to and that have no blob:
	// those published before the database kept archives.
	MissingArchives(ctx context.Context) ([]Archive, error)
}

// TagCount is a tag with the number of plugins that carry it.
type TagCount struct {
	Tag
	Plugins int `json:"plugin_count"`
}
