package client

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	// LastError is the last failure of a page, retried or not (nil when
	// none failed): what a truncated listing tells the administrator.
	LastError error
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
	return c.paginated(ctx, "tags/"+url.PathEscape(tag)+"/plugin")
}

func (c *GLPI) marketplaceRequest(ctx context.Context, path string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.marketplaceURL(path), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set(headerKey, c.Key)
	req.Header.Set(headerUID, c.UID)
	req.Header.Set("Accept-Encoding", "gzip") // Guzzle's decode_content default
	return req, nil
}

// ErrIgnoresRange is returned by a listing whose server answers every
// X-Range with the same page, or with more than a page: GLPI would loop
// forever on it.
var ErrIgnoresRange = errors.New("the server ignores X-Range")

// paginated is GLPI's getPaginatedCollection() within bounds GLPI lacks:
// each page at most Limits.Page bytes, the whole listing at most
// Limits.Catalogue bytes, MaxPages pages and Limits.Listing long, and a
// page longer than asked for or equal to the one before (a server that
// ignores X-Range) ends it at once. Those refusals are errors, not
// failures to retry.
func (c *GLPI) paginated(ctx context.Context, path string) ([]Plugin, PageStats, error) {
	var all []Plugin
	var st PageStats
	lim := c.limits()
	ctx, cancel := context.WithTimeoutCause(ctx, lim.Listing, &DeadlineError{What: "not finished", After: lim.Listing})
	defer cancel()
	attempts := 0
	maxPages := c.MaxPages
	if maxPages <= 0 {
		maxPages = defaultMaxPages
	}
	var total int64
	var previous [sha256.Size]byte
	for page := 0; page < maxPages; {
		req, err := c.marketplaceRequest(ctx, path)
		if err != nil {
			return nil, st, err
		}
		start := page * pageSize
		req.Header.Set("X-Range", strconv.Itoa(start)+"-"+strconv.Itoa(start+pageSize-1))
		st.Requests++
		res, err := c.do(req)
		// Answers too large and redirects to plain HTTP are the
		// server's choice, not a passing failure: no retry.
		var tooLarge *TooLargeError
		var redirect *RedirectError
		if errors.As(err, &tooLarge) || errors.As(err, &redirect) {
			return nil, st, err
		}
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
				return nil, st, causeOf(ctx, err)
			}
			st.LastError = err
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
		sum := sha256.Sum256(res.Body)
		switch {
		case len(items) > pageSize:
			return nil, st, fmt.Errorf("%w: asked for %d plugins, got %d", ErrIgnoresRange, pageSize, len(items))
		case page > 0 && sum == previous:
			return nil, st, fmt.Errorf("%w: page %d is page %d again", ErrIgnoresRange, page+1, page)
		}
		if total += int64(len(res.Body)); total > lim.Catalogue {
			return nil, st, &TooLargeError{What: "the catalogue", Limit: lim.Catalogue}
		}
		previous = sum
		all = append(all, items...)
		page++
		attempts = 0
	}
	return all, st, fmt.Errorf("%w: it returned more than %d pages", ErrIgnoresRange, maxPages)
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
// key and version come from the catalogue and from the archive's
// setup.php: anything but a plugin key and a version string is refused
// rather than put into the URL, and both are path-escaped.
func (c *GLPI) NotifyDownload(ctx context.Context, key, version string) (int, error) {
	if !ValidPluginKey(key) || !ValidVersion(version) {
		return 0, fmt.Errorf("not a plugin key and version: %q %q", key, version)
	}
	req, err := c.marketplaceRequest(ctx, "plugin/"+url.PathEscape(key)+"/download/"+url.PathEscape(version))
	if err != nil {
		return 0, err
	}
	resp, err := c.send(req, true, func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse })
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// ErrSizeMismatch is a download whose Content-Length is not the size the
// catalogue declares: refused before anything is written.
var ErrSizeMismatch = errors.New("the archive's size is not the catalogue's")

// Download fetches an archive as GLPI's downloadArchive() does (same
// headers, Accept widened to */*) and copies it to w, at most
// Limits.Archive bytes. Anything but 200 is ErrNotOK, as in GLPI. The
// registration key goes along only when url is on the services origin.
func (c *GLPI) Download(ctx context.Context, url string, w io.Writer) (*http.Response, int64, error) {
	return c.download(ctx, url, 0, w)
}

// DownloadVersion downloads v's archive (see Download), stopping at the
// size the catalogue declares: a longer body, or a Content-Length that
// disagrees, is refused without writing past that size.
func (c *GLPI) DownloadVersion(ctx context.Context, v Version, w io.Writer) (*http.Response, int64, error) {
	if v.DownloadURL == nil {
		return nil, 0, fmt.Errorf("%w: no download link", ErrNotOK)
	}
	return c.download(ctx, *v.DownloadURL, v.Size, w)
}

func (c *GLPI) download(ctx context.Context, url string, size int64, w io.Writer) (*http.Response, int64, error) {
	limit := c.limits().Archive
	what := &TooLargeError{What: "the archive", Limit: limit}
	if size > 0 {
		if size > limit {
			return nil, 0, what
		}
		limit, what = size, &TooLargeError{What: "the archive (by the catalogue's size)", Limit: size}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json, */*")
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set(headerKey, c.Key)
	req.Header.Set(headerUID, c.UID)
	resp, err := c.send(req, false, nil)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp, 0, fmt.Errorf("%w: status %d", ErrNotOK, resp.StatusCode)
	}
	switch {
	case resp.ContentLength > limit:
		return resp, 0, what
	case size > 0 && resp.ContentLength >= 0 && resp.ContentLength != size:
		return resp, 0, fmt.Errorf("%w: the server announces %d bytes, the catalogue %d", ErrSizeMismatch, resp.ContentLength, size)
	}
	n, err := io.Copy(w, io.LimitReader(resp.Body, limit))
	if err != nil {
		return resp, n, err
	}
	// One byte more than the limit means the body goes on.
	if m, _ := io.ReadAtLeast(resp.Body, make([]byte, 1), 1); m > 0 {
		return resp, n, what
	}
	return resp, n, nil
}
