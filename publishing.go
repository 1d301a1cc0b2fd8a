package glpinet

import "context"

// PublishOptions are what a publisher says beyond the archive itself.
// Empty fields keep what the archive's setup.php or the existing catalogue
// entry says.
type PublishOptions struct {
	RequiredOffers []string   `json:"required_offers"`
	Compatibility  string     `json:"compatibility"` // Composer constraint; default from setup.php's requirements
	Stability      string     `json:"stability"`     // default from the version number (1.0.0-beta1 → beta)
	Force          bool       `json:"force"`         // replace an already published version
	Meta           PluginMeta `json:"meta"`
}

// PluginMeta is the catalogue text of a plugin. Zero fields are left as
// they are.
type PluginMeta struct {
	Name         string        `json:"name"`
	LogoURL      string        `json:"logo_url"`
	HomepageURL  string        `json:"homepage_url"`
	IssuesURL    string        `json:"issues_url"`
	ReadmeURL    string        `json:"readme_url"`
	ChangelogURL string        `json:"changelog_url"`
	License      string        `json:"license"`
	Note         *float64      `json:"note"`
	Authors      []string      `json:"authors"`
	Descriptions []Description `json:"descriptions"`
	Tags         []string      `json:"tags"`
}

// Apply copies the set fields of m onto p.
func (m PluginMeta) Apply(p *Plugin) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&p.Name, m.Name)
	set(&p.LogoURL, m.LogoURL)
	set(&p.HomepageURL, m.HomepageURL)
	set(&p.IssuesURL, m.IssuesURL)
	set(&p.ReadmeURL, m.ReadmeURL)
	set(&p.ChangelogURL, m.ChangelogURL)
	set(&p.License, m.License)
	if m.Note != nil {
		p.Note = *m.Note
	}
	if m.Authors != nil {
		p.Authors = m.Authors
	}
	if m.Descriptions != nil {
		p.Descriptions = m.Descriptions
	}
	if m.Tags != nil {
		p.Tags = m.Tags
	}
}

// PublishResult is what a publication stored.
type PublishResult struct {
	Plugin           *Plugin  `json:"plugin"`
	Version          *Version `json:"version"`
	Entries          int      `json:"entries"`           // files and folders in the archive
	UncompressedSize int64    `json:"uncompressed_size"` // bytes once extracted
}

// Publisher adds versions to the catalogue from archives.
type Publisher interface {
	// Publish inspects the archive at path and publishes it. Returns
	// EINVALID (archive rejected, bad options), ECONFLICT (version exists
	// and Force is false).
	Publish(ctx context.Context, archivePath string, opts PublishOptions) (*PublishResult, error)
}
