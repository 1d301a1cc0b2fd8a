package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Plugin is a catalogue entry as the marketplace sends it. The wire types
// of this package are written apart from the server's on purpose: the
// tests decode the server's answers with them, as GLPI would, so a field
// the server names wrongly shows up as a failure instead of agreeing with
// itself.
type Plugin struct {
	Key            string        `json:"key"`
	Name           string        `json:"name"`
	LogoURL        string        `json:"logo_url"`
	HomepageURL    string        `json:"homepage_url"`
	IssuesURL      string        `json:"issues_url"`
	ReadmeURL      string        `json:"readme_url"`
	ChangelogURL   string        `json:"changelog_url"`
	License        string        `json:"license"`
	Note           float64       `json:"note"`
	DownloadCount  int64         `json:"download_count"`
	DateAdded      string        `json:"date_added"`
	DateUpdated    string        `json:"date_updated"`
	Authors        []Author      `json:"authors"`
	Descriptions   []Description `json:"descriptions"`
	Tags           []string      `json:"tags"`
	Versions       []Version     `json:"versions"`
	RequiredOffers []string      `json:"required_offers"`
}

// Author is a plugin author.
type Author struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// Description is a plugin's text in one language.
type Description struct {
	Lang  string `json:"lang"`
	Short string `json:"short_description"`
	Long  string `json:"long_description"`
}

// Version is one downloadable release; Size, SHA256 and Signature are
// glpinet's additions that GLPI ignores.
type Version struct {
	Num            string   `json:"num"`
	Compatibility  string   `json:"compatibility"`
	Stability      string   `json:"stability"`
	DownloadURL    *string  `json:"download_url"`
	RequiredOffers []string `json:"required_offers"`
	ReleasedAt     string   `json:"released_at"`
	Size           int64    `json:"size"`
	SHA256         string   `json:"sha256"`
	Signature      string   `json:"signature"`
}

// PageStats says how a paginated fetch went.
type PageStats struct {
	Requests  int  // requests sent, retries included
	Truncated bool // gave up after three failures on one page, as GLPI does
	Gzipped   int  // responses that came gzip-encoded
}

// pageSize and maxAttempts are GLPI's Plugins::COL_PAGE and
// MAX_REQUEST_ATTEMPTS.
const (
	pageSize    = 200
	maxAttempts = 3
	// defaultMaxPages stops a server that ignores X-Range: GLPI itself
	// would loop forever, since only an empty page ends its loop.
	defaultMaxPages = 10_000
)

// Plugins fetches the whole catalogue with GLPI's getPaginatedCollection().
func (c *GLPI) Plugins(ctx context.Context) ([]Plugin, PageStats, error) {
	return c.paginated(ctx, "plugins")
}

// TagPlugins fetches the plugins of a tag, paginated the same way.
func (c *GLPI) TagPlugins(ctx context.Context, tag string) ([]Plugin, PageStats, error) {
	return c.paginated(ctx, "tags/"+tag+"/plugin")
}

func (c *GLPI) marketplaceRequest(ctx context.Context, path string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.marketplaceURL(path), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set("X-Registration-Key", c.Key)
	req.Header.Set("X-Glpi-Network-Uid", c.UID)
	req.Header.Set("Accept-Encoding", "gzip") // Guzzle's decode_content default
	return req, nil
}

func (c *GLPI) paginated(ctx context.Context, path string) ([]Plugin, PageStats, error) {
	var all []Plugin
	var st PageStats
	attempts := 0
	maxPages := c.MaxPages
	if maxPages <= 0 {
		maxPages = defaultMaxPages
	}
	for page := 0; page < maxPages; {
		req, err := c.marketplaceRequest(ctx, path)
		if err != nil {
			return nil, st, err
		}
		start := page * pageSize
		req.Header.Set("X-Range", strconv.Itoa(start)+"-"+strconv.Itoa(start+pageSize-1))
		st.Requests++
		res, err := c.do(req)
		var items []Plugin
		if err == nil && res.Status < 400 {
			if res.Header.Get("Content-Encoding") == "gzip" {
				st.Gzipped++
			}
			// GLPI accepts any JSON array or object; a list is what the
			// contract requires, so anything else counts as a failure.
			err = json.Unmarshal(res.Body, &items)
		} else if err == nil {
			err = fmt.Errorf("status %d", res.Status)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, st, ctx.Err()
			}
			attempts++
			if attempts >= maxAttempts {
				st.Truncated = true
				return all, st, nil
			}
			continue
		}
		if len(items) == 0 {
			return all, st, nil
		}
		all = append(all, items...)
		page++
		attempts = 0
	}
	return all, st, fmt.Errorf("the server returned more than %d pages: it ignores X-Range", maxPages)
}

// Tag is an entry of tags/top.
type Tag struct {
	Key         string `json:"key"`
	Tag         string `json:"tag"`
	Lang        string `json:"lang"`
	PluginCount int    `json:"plugin_count"`
}

// TopTags fetches the top tags in a language given as GLPI's X-Lang (en-GB, fr…).
func (c *GLPI) TopTags(ctx context.Context, xLang string) ([]Tag, error) {
	req, err := c.marketplaceRequest(ctx, "tags/top")
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Lang", xLang)
	res, err := c.do(req)
	if err != nil {
		return nil, err
	}
	if res.Status >= 400 {
		return nil, fmt.Errorf("tags/top: status %d", res.Status)
	}
	var tags []Tag
	return tags, json.Unmarshal(res.Body, &tags)
}

// NotifyDownload sends the download notice GLPI sends after installing.
func (c *GLPI) NotifyDownload(ctx context.Context, key, version string) (int, error) {
	req, err := c.marketplaceRequest(ctx, "plugin/"+key+"/download/"+version)
	if err != nil {
		return 0, err
	}
	cl := *c.httpClient()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cl.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Download fetches an archive as GLPI's downloadArchive() does (same
// headers, Accept widened to */*) and copies it to w. Anything but 200 is
// ErrNotOK, as in GLPI.
func (c *GLPI) Download(ctx context.Context, url string, w io.Writer) (*http.Response, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json, */*")
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set("X-Registration-Key", c.Key)
	req.Header.Set("X-Glpi-Network-Uid", c.UID)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp, 0, fmt.Errorf("%w: status %d", ErrNotOK, resp.StatusCode)
	}
	n, err := io.Copy(w, resp.Body)
	return resp, n, err
}
