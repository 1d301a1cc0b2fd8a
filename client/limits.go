package client

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Limits bounds what a server, hostile or broken, can make the client
// wait for or hold in memory. Zero fields take the defaults below; the
// glpinet tool keeps them, tests shorten them.
type Limits struct {
	// Connect bounds the TCP connection to the server or proxy (GLPI's
	// own 5 s).
	Connect time.Duration
	// TLS bounds the TLS handshake.
	TLS time.Duration
	// Header bounds the wait for the answer's headers, from the start of
	// the request (connection and handshake included).
	Header time.Duration
	// Idle is how long a body may send nothing before the request fails:
	// a server that stops sending without closing cannot hang a download.
	Idle time.Duration
	// Request bounds a whole small request (a JSON answer, headers and
	// body): a body trickled byte by byte cannot hang a command.
	Request time.Duration
	// Listing bounds a whole paginated listing, retries included.
	Listing time.Duration
	// Page is the largest JSON answer read, after decompression.
	Page int64
	// Catalogue is the most bytes a paginated listing reads in all.
	Catalogue int64
	// Archive is the largest archive downloaded when the catalogue gives
	// no size (when it does, the download stops at that size).
	Archive int64
}

// Defaults of Limits. A page of GLPI's catalogue (200 plugins) is about
// 0.5 MB of JSON and the whole public catalogue a few MB, so the byte
// bounds leave room for a hundredfold growth; the archive bound is
// pluginarchive's default.
const (
	DefaultConnect   = 5 * time.Second
	DefaultTLS       = 10 * time.Second
	DefaultHeader    = time.Minute
	DefaultIdle      = time.Minute
	DefaultRequest   = 2 * time.Minute
	DefaultListing   = 10 * time.Minute
	DefaultPage      = 16 << 20
	DefaultCatalogue = 128 << 20
	DefaultArchive   = 100 << 20
)

// WithDefaults returns l with every unset (zero or negative) field set to
// its default.
func (l Limits) WithDefaults() Limits {
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	setN := func(n *int64, def int64) {
		if *n <= 0 {
			*n = def
		}
	}
	set(&l.Connect, DefaultConnect)
	set(&l.TLS, DefaultTLS)
	set(&l.Header, DefaultHeader)
	set(&l.Idle, DefaultIdle)
	set(&l.Request, DefaultRequest)
	set(&l.Listing, DefaultListing)
	setN(&l.Page, DefaultPage)
	setN(&l.Catalogue, DefaultCatalogue)
	setN(&l.Archive, DefaultArchive)
	return l
}

// NewHTTPClient returns an HTTP client like GLPI's: no automatic
// decompression (GLPI's cURL calls send no Accept-Encoding), the
// connection and handshake deadlines of l, and proxy as the proxy (nil:
// the environment's, HTTPS_PROXY and the like). It has no overall
// timeout: GLPI's client bounds each request by the other deadlines of
// its Limits (headers, idle body, whole request).
func NewHTTPClient(proxy *url.URL, l Limits) *http.Client {
	l = l.WithDefaults()
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	t.DialContext = (&net.Dialer{Timeout: l.Connect, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = l.TLS
	if proxy != nil {
		t.Proxy = http.ProxyURL(proxy)
	}
	return &http.Client{Transport: t}
}

// defaultClients holds one client per Limits for GLPI values without
// their own, so that connections are reused across calls.
var defaultClients sync.Map // Limits → *http.Client

func defaultClient(l Limits) *http.Client {
	if c, ok := defaultClients.Load(l); ok {
		return c.(*http.Client)
	}
	c, _ := defaultClients.LoadOrStore(l, NewHTTPClient(nil, l))
	return c.(*http.Client)
}

// DeadlineError says which deadline a server missed.
type DeadlineError struct {
	// What is "no answer", "no data" or "not finished".
	What  string
	After time.Duration
}

func (e *DeadlineError) Error() string {
	switch e.What {
	case "no data":
		return fmt.Sprintf("the server sent nothing for %s", e.After)
	case "no answer":
		return fmt.Sprintf("the server did not answer within %s", e.After)
	}
	return fmt.Sprintf("the answer took longer than %s", e.After)
}

// Timeout reports true, as net.Error timeouts do.
func (e *DeadlineError) Timeout() bool { return true }

// TooLargeError is an answer larger than a limit or than announced.
type TooLargeError struct {
	What  string // "the answer", "the catalogue", "the archive"
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.What, e.Limit)
}
