package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/signing"
)

// seedCatalogue publishes n plugins, each with a 1.0.0 for GLPI 10.x and a
// 2.0.0 for GLPI 11.x; every tenth plugin needs the standard offer.
func seedCatalogue(n int) seeder {
	return func(t *testing.T, ctx context.Context, db Store, pub *publish.Publisher) {
		for i := range n {
			key := fmt.Sprintf("plugin%03d", i)
			var opts glpinet.PublishOptions
			if i%10 == 0 {
				opts.RequiredOffers = []string{"standard"}
			}
			opts.Meta.Tags = []string{"all"}
			if i%3 == 0 {
				opts.Meta.Tags = append(opts.Meta.Tags, "third")
			}
			publishOrFail(t, ctx, pub, testkit.Plugin{Key: key, Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "11.0.0"}, opts)
			publishOrFail(t, ctx, pub, testkit.Plugin{Key: key, Version: "2.0.0", MinGLPI: "11.0.0", MaxGLPI: "12.0.0"}, opts)
		}
	}
}

// TestGLPIMarketplace does what GLPI does with the marketplace: list a
// 450-plugin catalogue page by page, see only the versions its GLPI version
// can run, see gating differ by offer, download an archive.
func TestGLPIMarketplace(t *testing.T) {
	ts := startServer(t, seedCatalogue(450))
	ctx := t.Context()

	for _, glpiVersion := range []string{"10.0.16", "11.0.4"} {
		wantNum := map[string]string{"10.0.16": "1.0.0", "11.0.4": "2.0.0"}[glpiVersion]
		t.Run(glpiVersion, func(t *testing.T) {
			for _, offer := range []string{"registered", "advanced"} {
				plugins, st, err := ts.glpi(offer, glpiVersion).Plugins(ctx)
				if err != nil {
					t.Fatal(err)
				}
				// ceil(450/200) pages and the empty page that ends GLPI's loop.
				if len(plugins) != 450 || st.Requests != 4 || st.Truncated {
					t.Fatalf("%s: got %d plugins in %d requests (truncated %v), want 450 in 4", offer, len(plugins), st.Requests, st.Truncated)
				}
				if st.Gzipped == 0 {
					t.Errorf("%s: no page came gzip-encoded although GLPI accepts gzip", offer)
				}
				for i, p := range plugins {
					if want := fmt.Sprintf("plugin%03d", i); p.Key != want {
						t.Fatalf("plugin %d is %q, want %q: pages must be in a stable order", i, p.Key, want)
					}
					if len(p.Versions) != 1 || p.Versions[0].Num != wantNum {
						t.Fatalf("%s sees versions %+v of %s, want only %s", glpiVersion, p.Versions, p.Key, wantNum)
					}
					v := p.Versions[0]
					gated := i%10 == 0
					switch {
					case !gated && p.RequiredOffers != nil:
						t.Fatalf("%s: required_offers = %v, want null for a public plugin", p.Key, p.RequiredOffers)
					case gated && strings.Join(p.RequiredOffers, ",") != "standard,advanced":
						t.Fatalf("%s: required_offers = %v, want [standard advanced]", p.Key, p.RequiredOffers)
					case gated && offer == "registered" && v.DownloadURL != nil:
						t.Fatalf("%s: a registered key got download_url %q for a standard plugin", p.Key, *v.DownloadURL)
					case (!gated || offer == "advanced") && v.DownloadURL == nil:
						t.Fatalf("%s: %s key got no download_url", p.Key, offer)
					}
				}
			}
		})
	}

	// A client that is not GLPI (no version) sees every version.
	plugins, _, err := ts.glpi("advanced", "").Plugins(ctx)
	if err != nil || len(plugins[5].Versions) != 2 {
		t.Fatalf("without a GLPI version: %d versions, %v; want 2", len(plugins[5].Versions), err)
	}

	// Download a gated archive with the advanced key and check its bytes.
	plugins, _, err = ts.glpi("advanced", "10.0.16").Plugins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := plugins[0].Versions[0]
	if !strings.HasPrefix(*v.DownloadURL, ts.URL()+"/api/marketplace/archives/") || !strings.HasSuffix(*v.DownloadURL, "/glpi-plugin000-1.0.0.tar.gz") {
		t.Fatalf("download_url = %q, want an absolute URL ending in the archive's real name", *v.DownloadURL)
	}
	var buf bytes.Buffer
	resp, n, err := ts.glpi("advanced", "10.0.16").Download(ctx, *v.DownloadURL, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ContentLength != n || n != v.Size {
		t.Fatalf("Content-Length %d, read %d, catalogue size %d: must all agree", resp.ContentLength, n, v.Size)
	}
	sum := sha256.Sum256(buf.Bytes())
	if hex.EncodeToString(sum[:]) != v.SHA256 {
		t.Fatalf("downloaded bytes have sha256 %x, catalogue says %s", sum, v.SHA256)
	}
	stored := readFile(t, filepath.Join(ts.Store.archiveDir(), "plugin000", "1.0.0", v.SHA256[:16], "glpi-plugin000-1.0.0.tar.gz"))
	if !bytes.Equal(stored, buf.Bytes()) {
		t.Fatal("downloaded bytes differ from the published archive")
	}
	// The signature verifies with the server's public key, over the plugin,
	// version and digest.
	seed := readFile(t, ts.Store.signingKeyPath())
	sig, _ := base64.StdEncoding.DecodeString(v.Signature)
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	if !signing.Verify(pub, "plugin000", "1.0.0", v.SHA256, sig) {
		t.Fatal("archive signature does not verify")
	}
	// The server publishes that public key.
	_, _, body := get(t, ts.URL()+"/api/marketplace/signing-key", nil)
	var sk struct {
		Algorithm string `json:"algorithm"`
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(body, &sk); err != nil || sk.Algorithm != "ed25519" || sk.PublicKey != base64.StdEncoding.EncodeToString(pub) {
		t.Fatalf("signing-key = %s, want the key that verifies", body)
	}

	// The same URL without an entitled key is refused, not served.
	for _, offer := range []string{"", "registered", "basic"} {
		_, _, err := ts.glpi(offer, "10.0.16").Download(ctx, *v.DownloadURL, &bytes.Buffer{})
		if err == nil {
			t.Fatalf("a gated archive was served to a %q key", offer)
		}
	}
	// A public archive needs no key at all (GLPI's "download manually"
	// button opens it in the browser, without headers).
	public := plugins[1].Versions[0]
	if _, _, err := ts.glpi("", "10.0.16").Download(ctx, *public.DownloadURL, &bytes.Buffer{}); err != nil {
		t.Fatalf("public archive without a key: %v", err)
	}
}

// TestTagPlugins checks the tag listing: same pagination, [] for an unknown
// tag, and the top tags.
func TestTagPlugins(t *testing.T) {
	ts := startServer(t, seedCatalogue(30))
	ctx := t.Context()
	g := ts.glpi("registered", "10.0.16")
	third, st, err := g.TagPlugins(ctx, "third")
	if err != nil || len(third) != 10 || st.Requests != 2 || st.Truncated {
		t.Fatalf("tag third: %d plugins in %d requests (truncated %v), %v; want 10 in 2", len(third), st.Requests, st.Truncated, err)
	}
	none, st, err := g.TagPlugins(ctx, "nosuchtag")
	if err != nil || len(none) != 0 || st.Requests != 1 || st.Truncated {
		t.Fatalf("unknown tag: %d plugins, %d requests, truncated %v, %v; want an empty list at once", len(none), st.Requests, st.Truncated, err)
	}
	tags, err := g.TopTags(ctx, "en-GB")
	if err != nil {
		t.Fatal(err)
	}
	want := []client.Tag{{Key: "all", Tag: "all", Lang: "en", PluginCount: 30}, {Key: "third", Tag: "third", Lang: "en", PluginCount: 10}}
	if fmt.Sprint(tags) != fmt.Sprint(want) {
		t.Fatalf("top tags = %v, want %v", tags, want)
	}
}
