package glpiapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/phpver"
)

// buildPage joins the items of the requested range into a JSON list, with
// its gzip form when compress is set.
func buildPage(cat *glpinet.Catalogue, items [][]byte, k pageKey, compress bool) *page {
	var idx []int
	for i, p := range cat.Plugins {
		if k.tag == "" || hasTag(p, k.tag) {
			idx = append(idx, i)
		}
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for n, i := range idx {
		if n < k.start || n > k.end {
			continue
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(items[i])
	}
	buf.WriteByte(']')
	p := &page{body: buf.Bytes(), total: len(idx)}
	// The ETag of a page GLPI asks for hashes its bytes; another range's
	// hashes what determines them (catalogue generation, view, range),
	// which costs nothing however large the page.
	var sum [32]byte
	if compress {
		sum = sha256.Sum256(p.body)
	} else {
		sum = sha256.Sum256(fmt.Appendf(nil, "%d|%s|%d|%s|%s|%d-%d", k.gen, k.compat, k.level, k.urlRoot, k.tag, k.start, k.end))
	}
	p.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	if compress && len(p.body) > 1024 {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(p.body)
		zw.Close()
		p.gz = gz.Bytes()
	}
	return p
}

func hasTag(p *glpinet.Plugin, tag string) bool {
	for _, t := range p.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Plugin is one plugin as the marketplace lists it, the wire shape of the
// spec's section 3.3 (the portal shows the same).
type Plugin struct {
	Key            string            `json:"key"`
	Name           string            `json:"name"`
	LogoURL        string            `json:"logo_url"`
	HomepageURL    string            `json:"homepage_url"`
	IssuesURL      string            `json:"issues_url"`
	ReadmeURL      string            `json:"readme_url"`
	ChangelogURL   string            `json:"changelog_url"`
	License        string            `json:"license"`
	Note           float64           `json:"note"`
	DownloadCount  int64             `json:"download_count"`
	DateAdded      string            `json:"date_added"`
	DateUpdated    string            `json:"date_updated"`
	Authors        []authorJSON      `json:"authors"`
	Descriptions   []descriptionJSON `json:"descriptions"`
	Tags           []string          `json:"tags"`
	Versions       []versionJSON     `json:"versions"`
	RequiredOffers []string          `json:"required_offers"` // null when nothing is required
}

type authorJSON struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type descriptionJSON struct {
	Lang  string `json:"lang"`
	Short string `json:"short_description"`
	Long  string `json:"long_description"`
}

// versionJSON carries, beyond what GLPI reads, the archive's size and
// SHA-256 (and signature when the server signs) for glpinet's own client.
type versionJSON struct {
	Num            string   `json:"num"`
	Compatibility  string   `json:"compatibility"`
	Stability      string   `json:"stability"`
	DownloadURL    *string  `json:"download_url"`
	RequiredOffers []string `json:"required_offers"`
	ReleasedAt     string   `json:"released_at"`
	Size           int64    `json:"size"`
	SHA256         string   `json:"sha256"`
	Signature      string   `json:"signature,omitempty"`
}

// apiTime formats dates as the official service does.
func apiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// renderItems renders every plugin of the catalogue for one view; visible
// says which compatibility constraints the client's GLPI version meets.
func renderItems(cat *glpinet.Catalogue, v view, visible func(constraint string) bool) [][]byte {
	offers := cat.OfferMap()
	items := make([][]byte, len(cat.Plugins))
	for i, p := range cat.Plugins {
		items[i] = httpx.Marshal(pluginFor(p, cat.Offers, offers, v, visible))
	}
	return items
}

func pluginFor(p *glpinet.Plugin, offerList []*glpinet.Offer, offers map[string]*glpinet.Offer, v view, visible func(string) bool) Plugin {
	// Links stored before they were checked are served only if still safe:
	// GLPI puts them in <a href> and <img src>.
	out := Plugin{Key: p.Key, Name: p.Name, LogoURL: glpinet.SafeLink(p.LogoURL), HomepageURL: glpinet.SafeLink(p.HomepageURL),
		IssuesURL: glpinet.SafeLink(p.IssuesURL), ReadmeURL: glpinet.SafeLink(p.ReadmeURL), ChangelogURL: glpinet.SafeLink(p.ChangelogURL),
		License: p.License, Note: p.Note, DownloadCount: p.DownloadCount,
		DateAdded: apiTime(p.DateAdded), DateUpdated: apiTime(p.DateUpdated),
		Authors: make([]authorJSON, len(p.Authors)), Descriptions: englishFirst(p.Descriptions), Tags: p.Tags, Versions: []versionJSON{}}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for i, a := range p.Authors {
		out.Authors[i] = authorJSON{ID: i + 1, Name: a}
	}
	var newest, newestStable *glpinet.Version
	for _, ver := range p.Versions {
		if ver.Yanked || !visible(ver.Compatibility) {
			continue
		}
		vj := versionJSON{Num: ver.Num, Compatibility: ver.Compatibility, Stability: ver.Stability,
			RequiredOffers: expandOffers(ver.RequiredOffers, offerList, offers), ReleasedAt: apiTime(ver.ReleasedAt),
			Size: ver.Archive.Size, SHA256: ver.Archive.SHA256}
		if len(ver.Archive.Signature) > 0 {
			vj.Signature = base64.StdEncoding.EncodeToString(ver.Archive.Signature)
		}
		if ver.Unlocked(v.level, offers) {
			u := v.urlRoot + "archives/" + p.Key + "/" + ver.Num + "/" + ver.Archive.Filename
			vj.DownloadURL = &u
		}
		out.Versions = append(out.Versions, vj)
		if newest == nil || phpver.Compare(ver.Num, newest.Num) > 0 {
			newest = ver
		}
		if ver.Stability == glpinet.StabilityStable && (newestStable == nil || phpver.Compare(ver.Num, newestStable.Num) > 0) {
			newestStable = ver
		}
	}
	// The plugin-level offers drive GLPI's "needs a higher offer" badge for
	// the version it would install: the newest stable one, since GLPI hides
	// prereleases by default.
	if newestStable != nil {
		newest = newestStable
	}
	if newest != nil {
		out.RequiredOffers = expandOffers(newest.RequiredOffers, offerList, offers)
	}
	return out
}

// expandOffers turns "requires basic" into every offer that includes basic
// (basic, standard, advanced), because GLPI shows its "needs a higher
// offer" badge unless the key's offer is literally in the list. It returns
// nil when nothing is required: GLPI treats any list, even empty, as gated.
func expandOffers(required []string, offerList []*glpinet.Offer, offers map[string]*glpinet.Offer) []string {
	if len(required) == 0 {
		return nil
	}
	min := glpinet.MinLevel(required, offers)
	var out []string
	for _, o := range offerList {
		if o.Level >= min {
			out = append(out, o.Reference)
		}
	}
	if out == nil {
		out = append(out, required...) // unknown offers: say what was asked
	}
	return out
}

// englishFirst orders descriptions with English first: GLPI's "Installed"
// tab shows the first one whatever the language.
func englishFirst(ds []glpinet.Description) []descriptionJSON {
	out := make([]descriptionJSON, 0, len(ds))
	for _, d := range ds {
		out = append(out, descriptionJSON{Lang: d.Lang, Short: d.Short, Long: d.Long})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Lang == "en" && out[j].Lang != "en" })
	return out
}

// contentRange is the header the official service sends with pages.
func contentRange(r Range, total int) string {
	end := min(r.End, total-1)
	if r.Start >= total {
		return "*/" + strconv.Itoa(total)
	}
	return strconv.Itoa(r.Start) + "-" + strconv.Itoa(end) + "/" + strconv.Itoa(total)
}
