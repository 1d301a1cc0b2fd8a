package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// get sends a GET with the given headers and returns status, headers and
// the raw (not decompressed) body.
func get(t *testing.T, url string, headers map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func TestMarketplaceContract(t *testing.T) {
	ts := startServer(t, seedCatalogue(25))
	glpiHeaders := map[string]string{"User-Agent": "GLPI/10.0.16 (installation-mode:TARBALL)", "Accept": "application/json", "X-Registration-Key": ts.keys["advanced"]}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{}
		for k, v := range glpiHeaders {
			h[k] = v
		}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}

	for _, prefix := range []string{"/api/marketplace/", "/api/glpi-plugins/"} {
		t.Run(strings.Trim(prefix, "/"), func(t *testing.T) {
			// X-Range is honoured; past the end is 200 and an empty list.
			for _, tc := range []struct {
				rng  string
				want int
			}{{"0-9", 10}, {"20-29", 5}, {"25-224", 0}, {"1000-1199", 0}, {"", 25}, {"nonsense", 25}} {
				status, h, body := get(t, ts.URL()+prefix+"plugins", with(map[string]string{"X-Range": tc.rng}))
				var list []map[string]any
				if status != 200 || json.Unmarshal(body, &list) != nil || len(list) != tc.want {
					t.Fatalf("X-Range %q: status %d, %d items, body %.80s; want 200 and a list of %d", tc.rng, status, len(list), body, tc.want)
				}
				if tc.want == 0 && string(body) != "[]" {
					t.Fatalf("X-Range %q: body %q, want []", tc.rng, body)
				}
				if h.Get("Content-Type") != "application/json; charset=utf-8" {
					t.Fatalf("Content-Type = %q", h.Get("Content-Type"))
				}
			}

			// Every field GLPI reads is present with the right type.
			_, _, body := get(t, ts.URL()+prefix+"plugins", with(map[string]string{"X-Range": "0-24"}))
			var list []map[string]any
			json.Unmarshal(body, &list)
			for _, p := range list {
				for _, f := range []string{"key", "name", "logo_url", "homepage_url", "issues_url", "readme_url", "changelog_url", "license", "date_added", "date_updated"} {
					if _, ok := p[f].(string); !ok {
						t.Fatalf("plugin %v: %s is %T, want a string", p["key"], f, p[f])
					}
				}
				for _, f := range []string{"versions", "authors", "descriptions"} {
					if _, ok := p[f].([]any); !ok {
						t.Fatalf("plugin %v: %s is %T, want a list", p["key"], f, p[f])
					}
				}
				for _, f := range []string{"note", "download_count"} {
					if _, ok := p[f].(float64); !ok {
						t.Fatalf("plugin %v: %s is %T, want a number", p["key"], f, p[f])
					}
				}
				if _, ok := p["required_offers"]; !ok {
					t.Fatalf("plugin %v has no required_offers", p["key"])
				}
				url := p["versions"].([]any)[0].(map[string]any)["download_url"].(string)
				if !strings.HasPrefix(url, ts.URL()+prefix+"archives/") {
					t.Fatalf("download_url %q is not under %s", url, prefix)
				}
			}

			// gzip when accepted, identity otherwise; the same bytes.
			_, hz, gz := get(t, ts.URL()+prefix+"plugins", with(map[string]string{"Accept-Encoding": "gzip"}))
			_, hi, plain := get(t, ts.URL()+prefix+"plugins", with(nil))
			if hz.Get("Content-Encoding") != "gzip" || hi.Get("Content-Encoding") != "" {
				t.Fatalf("Content-Encoding: %q with gzip accepted, %q without", hz.Get("Content-Encoding"), hi.Get("Content-Encoding"))
			}
			if un := gunzip(t, gz); !bytes.Equal(un, plain) {
				t.Fatal("the gzip page differs from the plain one")
			}

			// Unknown tag: an empty list, at once.
			if status, _, body := get(t, ts.URL()+prefix+"tags/nosuch/plugin", with(nil)); status != 200 || string(body) != "[]" {
				t.Fatalf("unknown tag: %d %s", status, body)
			}
			// Download notice: 204, whatever the version string GLPI read from setup.php.
			if status, _, _ := get(t, ts.URL()+prefix+"plugin/plugin001/download/1.0.0", with(nil)); status != 204 {
				t.Fatalf("download notice: status %d, want 204", status)
			}
			if status, _, _ := get(t, ts.URL()+prefix+"plugin/nosuch/download/1.0", with(nil)); status != 404 {
				t.Fatalf("download notice for an unknown plugin: status %d, want 404", status)
			}
		})
	}

	// Archives: exactly 200 with Content-Length, whatever Accept says;
	// Range requests work; HEAD too.
	url := ts.URL() + "/api/marketplace/archives/plugin001/1.0.0/glpi-plugin001-1.0.0.tar.gz"
	status, h, body := get(t, url, map[string]string{"Accept": "application/json, */*"})
	if status != 200 || h.Get("Content-Length") != fmt.Sprint(len(body)) || h.Get("Content-Type") != "application/gzip" || body[0] != 0x1f {
		t.Fatalf("archive: status %d, Content-Length %q for %d bytes, type %q", status, h.Get("Content-Length"), len(body), h.Get("Content-Type"))
	}
	if status, _, part := get(t, url, map[string]string{"Range": "bytes=0-9"}); status != 206 || !bytes.Equal(part, body[:10]) {
		t.Fatalf("range request: status %d, %d bytes", status, len(part))
	}
	for _, bad := range []string{
		"/api/marketplace/archives/plugin001/1.0.0/glpi-plugin001-1.0.0.zip",
		"/api/marketplace/archives/plugin001/9.9.9/glpi-plugin001-9.9.9.tar.gz",
		"/api/marketplace/archives/nosuch/1.0.0/glpi-nosuch-1.0.0.tar.gz",
	} {
		if status, _, _ := get(t, ts.URL()+bad, nil); status != 404 {
			t.Fatalf("%s: status %d, want 404", bad, status)
		}
	}

	// Top tags: at most ten.
	status, _, body = get(t, ts.URL()+"/api/marketplace/tags/top", map[string]string{"X-Lang": "fr"})
	var tags []map[string]any
	if status != 200 || json.Unmarshal(body, &tags) != nil || len(tags) == 0 || len(tags) > 10 {
		t.Fatalf("tags/top: %d %s", status, body)
	}

	// Download notices are counted (written in batches; Close flushes).
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := ts.Store.open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.FindPlugin(t.Context(), "plugin001")
	if err != nil || p.DownloadCount != 2 {
		t.Fatalf("download count = %d, %v; want 2 (one notice per prefix)", p.DownloadCount, err)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzipReader(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
