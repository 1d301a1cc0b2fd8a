// Package client talks to glpinet servers. GLPI is a client of the GLPI
// Network contract that behaves exactly as GLPI does (headers, X-Range
// pagination, retries), used by the glpinet tool and by the tests that hold
// the server to that contract.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// GLPI is a client that sends what an unmodified GLPI sends.
type GLPI struct {
	// BaseURL is GLPI_NETWORK_SERVICES, e.g. https://glpinet.example.com.
	BaseURL string
	// MarketplacePrefix is "/api/marketplace/" (GLPI 10.0.8 and later, the
	// default) or "/api/glpi-plugins/" (GLPI 9.5 to 10.0.7).
	MarketplacePrefix string
	Key               string // the decrypted registration key; "" when none is set
	UID               string // X-Glpi-Network-Uid: 40 characters
	Version           string // normalized GLPI version, e.g. 10.0.16
	InstallMode       string // TARBALL, GIT…
	Lang              string // 2-letter session language, e.g. fr
	// HTTP is the client to use; its transport must not add
	// Accept-Encoding on its own (GLPI's cURL calls do not send it). Nil
	// means NewHTTPClient(nil, Limits). Whatever the client, the
	// registration key and uid go to BaseURL's origin only, redirects
	// from HTTPS to plain HTTP are refused, and Limits apply.
	HTTP *http.Client
	// Limits bounds waits and sizes; zero fields take their defaults.
	Limits Limits
	// MaxPages bounds a listing (default 10,000 pages of 200): more means
	// the server ignores X-Range.
	MaxPages int
}

// userAgent is GLPI's User-Agent for registration and marketplace calls.
func (c *GLPI) userAgent() string {
	return "GLPI/" + c.Version + " (installation-mode:" + c.InstallMode + ")"
}

func (c *GLPI) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultClient(c.Limits)
}

func (c *GLPI) marketplaceURL(path string) string {
	p := c.MarketplacePrefix
	if p == "" {
		p = "/api/marketplace/"
	}
	return strings.TrimRight(c.BaseURL, "/") + p + path
}

// RegistrationInfo is the body of /api/registration/info.
type RegistrationInfo struct {
	IsValid           bool          `json:"is_valid"`
	Code              string        `json:"code"`
	ValidationMessage string        `json:"validation_message"`
	Owner             *Owner        `json:"owner"`
	Subscription      *Subscription `json:"subscription"`
}

// Owner is the account a key belongs to.
type Owner struct {
	Name string `json:"name"`
}

// Subscription is the running (or last) subscription of a key.
type Subscription struct {
	OfferReference string   `json:"offer_reference"`
	Title          string   `json:"title"`
	IsRunning      bool     `json:"is_running"`
	BeginDate      *string  `json:"begin_date"`
	EndDate        *string  `json:"end_date"`
	Features       []string `json:"features"`
}

// Response is the raw outcome of a call, for checks beyond the body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// RegistrationInfo asks the server about the key, with the headers of
// GLPI's GLPINetwork::getRegistrationInformations() (missing spaces
// included).
func (c *GLPI) RegistrationInfo(ctx context.Context) (*RegistrationInfo, *Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.BaseURL, "/")+"/api/registration/info", nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header["Accept"] = []string{"application/json"}
	req.Header["Accept-Language"] = []string{c.Lang}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{c.userAgent()}
	req.Header[headerKey] = []string{c.Key}
	req.Header[headerUID] = []string{c.UID}
	res, err := c.do(req)
	if err != nil {
		return nil, nil, err
	}
	// GLPI ignores the status: it needs a JSON object with is_valid.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(res.Body, &raw); err != nil || raw["is_valid"] == nil {
		return nil, res, fmt.Errorf("unable to fetch registration information (status %d)", res.Status)
	}
	var info RegistrationInfo
	if err := json.Unmarshal(res.Body, &info); err != nil {
		return nil, res, err
	}
	return &info, res, nil
}

// Offer is an entry of /api/registration/offers.
type Offer struct {
	OfferReference string   `json:"offer_reference"`
	Title          string   `json:"title"`
	Level          int      `json:"level"`
	Features       []string `json:"features"`
}

// Offers lists the offers as GLPI's getOffers() does: no key, no uid.
func (c *GLPI) Offers(ctx context.Context) ([]Offer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.BaseURL, "/")+"/api/registration/offers", nil)
	if err != nil {
		return nil, err
	}
	req.Header["Accept"] = []string{"application/json"}
	req.Header["Accept-Language"] = []string{c.Lang}
	req.Header["User-Agent"] = []string{"GLPI/" + c.Version}
	res, err := c.do(req)
	if err != nil {
		return nil, err
	}
	var out []Offer
	if err := json.Unmarshal(res.Body, &out); err != nil {
		return nil, fmt.Errorf("offers: not a JSON list: %w", err)
	}
	return out, nil
}

// Available is GLPI's isServicesAvailable(): a non-empty body from the
// probe URL (/api/ping on recent 11.x, /api/registration/ before).
func (c *GLPI) Available(ctx context.Context, path string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.BaseURL, "/")+path, nil)
	if err != nil {
		return false
	}
	req.Header["User-Agent"] = []string{"GLPI/" + c.Version}
	res, err := c.do(req)
	return err == nil && len(res.Body) > 0
}

// do sends a small request (its whole answer within Limits.Request) and
// reads the whole body, at most Limits.Page bytes, undoing gzip when the
// request asked for it.
func (c *GLPI) do(req *http.Request) (*Response, error) {
	resp, err := c.send(req, true, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := readBody(resp, c.limits().Page)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// ErrNotOK is returned for a non-200 archive download.
var ErrNotOK = errors.New("unable to download plugin archive")
