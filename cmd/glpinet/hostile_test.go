package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/signing"
)

// The tests of this file run glpinet (in process, through run) against a
// hostile services server on 127.0.0.1, replaying the attacks of issue
// 10 on the network side: redirects that would carry the key away,
// endless, stalled and trickled bodies, catalogues that ignore X-Range,
// terminal escapes, missing signatures. Deadlines are shortened through
// netLimits so that each test takes about a second.

// shortLimits are the deadlines and bounds the tests run glpinet with.
var shortLimits = client.Limits{Connect: time.Second, TLS: time.Second, Header: time.Second, Idle: 300 * time.Millisecond,
	Request: time.Second, Listing: 5 * time.Second, Page: 256 << 10, Catalogue: 1 << 20, Archive: 4 << 20}

// hostileTree makes a GLPI 10.0.16 tree whose database is a new database
// on this machine's MariaDB, and shortens glpinet's deadlines for the
// test. It returns the root and a function storing a glpi_configs value.
func hostileTree(t *testing.T) (string, func(name, value string)) {
	t.Helper()
	old := netLimits
	netLimits = shortLimits
	t.Cleanup(func() { netLimits = old })
	root, err := sql.Open("mysql", "root@tcp(127.0.0.1:3306)/test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	name := fmt.Sprintf("glpinet_hostile_%d", time.Now().UnixNano())
	if _, err := root.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("MariaDB at 127.0.0.1:3306 (root, no password) is needed: %v", err)
	}
	t.Cleanup(func() { root.Exec("DROP DATABASE " + name) })
	if _, err := root.Exec(`CREATE TABLE ` + name + `.glpi_configs (id int unsigned NOT NULL AUTO_INCREMENT,
		context varchar(150) DEFAULT NULL, name varchar(150) DEFAULT NULL, value text,
		PRIMARY KEY (id), UNIQUE KEY unicity (context, name)) DEFAULT CHARSET=utf8mb4`); err != nil {
		t.Fatal(err)
	}
	glpi := filepath.Join(t.TempDir(), "glpi")
	for _, d := range []string{"inc", "config", "marketplace", "plugins", "files"} {
		if err := os.MkdirAll(filepath.Join(glpi, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(filepath.Join(glpi, p), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("inc/define.php", "<?php\ndefine('GLPI_VERSION', '10.0.16');\n")
	write("config/config_db.php", "<?php\nclass DB extends DBmysql {\n   public $dbhost = '127.0.0.1';\n   public $dbuser = 'root';\n   public $dbpassword = '';\n   public $dbdefault = '"+name+"';\n}\n")
	key, _ := glpicrypt.NewKey()
	write("config/glpicrypt.key", string(key[:]))
	set := func(n, v string) {
		if _, err := root.Exec("INSERT INTO "+name+".glpi_configs (context, name, value) VALUES ('core', ?, ?) "+
			"ON DUPLICATE KEY UPDATE value = VALUES(value)", n, v); err != nil {
			t.Fatal(err)
		}
	}
	return glpi, set
}

// glpinetRun runs glpinet with args and returns its exit status and
// output.
func glpinetRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	code := run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// services is a programmable hostile services server. Its zero answers
// are a well-behaved glpinet; tests change what they attack with.
type services struct {
	*httptest.Server
	mu sync.Mutex
	// info is the body of /api/registration/info.
	info string
	// catalogue is the first page of /api/marketplace/plugins (the next
	// ones are empty), unless pages answers every page.
	catalogue string
	pages     http.HandlerFunc
	// signing is the status of /api/marketplace/signing-key (200: pub).
	signing int
	pub     ed25519.PublicKey
	priv    ed25519.PrivateKey
	// archive serves /archives/; nil: the archive bytes.
	archive     http.HandlerFunc
	archiveData []byte
	// paths and keys record every request's escaped path and key header.
	paths []string
	keys  []string
}

func newServices(t *testing.T) *services {
	s := &services{signing: 200, info: `{"is_valid":true,"code":"VALID","validation_message":"ok","owner":{"name":"ACME IT"},"subscription":{"is_running":true,"title":"Basic"}}`}
	s.pub, s.priv, _ = ed25519.GenerateKey(nil)
	s.archiveData, _ = os.ReadFile(testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "hello", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "10.1.0"}))
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	s.catalogue = s.entries(entry{})
	return s
}

func (s *services) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.EscapedPath())
	s.keys = append(s.keys, r.Header.Get("X-Registration-Key"))
	info, catalogue, pages, signing, archive := s.info, s.catalogue, s.pages, s.signing, s.archive
	s.mu.Unlock()
	switch p := r.URL.Path; {
	case p == "/api/ping":
		io.WriteString(w, "pong")
	case p == "/api/registration/info":
		io.WriteString(w, info)
	case p == "/api/marketplace/plugins" && pages != nil:
		pages(w, r)
	case p == "/api/marketplace/plugins":
		if strings.HasPrefix(r.Header.Get("X-Range"), "0-") {
			io.WriteString(w, catalogue)
		} else {
			io.WriteString(w, "[]")
		}
	case p == "/api/marketplace/signing-key" && signing == 200:
		fmt.Fprintf(w, `{"algorithm":"ed25519","public_key":%q}`, base64.StdEncoding.EncodeToString(s.pub))
	case p == "/api/marketplace/signing-key":
		w.WriteHeader(signing)
	case strings.HasPrefix(p, "/archives/") && archive != nil:
		archive(w, r)
	case strings.HasPrefix(p, "/archives/"):
		w.Write(s.archiveData)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// set changes the server's behaviour under its lock.
func (s *services) set(f func(s *services)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *services) requested() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...)
}

// entry is what a catalogue entry of the plugin hello says.
type entry struct {
	name, short, long, author string
	num                       string // "1.0.0" when empty
	noSize, noSHA, noSig      bool
	size                      int64 // the archive's when 0
	downloadURL               string
}

// entries renders the catalogue page holding the plugin hello as e says.
func (s *services) entries(e entry) string {
	sum := sha256.Sum256(s.archiveData)
	num := cmpOr(e.num, "1.0.0")
	v := map[string]any{"num": num, "compatibility": ">=10.0.0 <10.1.0", "stability": "stable",
		"download_url": cmpOr(e.downloadURL, s.URL+"/archives/glpi-hello-1.0.0.tar.gz")}
	if !e.noSize {
		v["size"] = cmpOr(e.size, int64(len(s.archiveData)))
	}
	if !e.noSHA {
		v["sha256"] = hex.EncodeToString(sum[:])
	}
	if !e.noSig {
		v["signature"] = base64.StdEncoding.EncodeToString(signing.Sign(s.priv, "hello", num, hex.EncodeToString(sum[:])))
	}
	p := map[string]any{"key": "hello", "name": cmpOr(e.name, "Hello World"), "authors": []map[string]any{{"id": 1, "name": cmpOr(e.author, "ACME")}},
		"descriptions": []map[string]any{{"lang": "en", "short_description": cmpOr(e.short, "Says hello."), "long_description": e.long}},
		"versions":     []any{v}}
	b, _ := json.Marshal([]any{p})
	return string(b)
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// storeKey stores a well-formed registration key as GLPI does.
func storeKey(t *testing.T, root string) string {
	t.Helper()
	key, _ := glpinet.GenerateKey()
	if code, _, stderr := glpinetRun(t, "key", "set", key, "--offline", "--glpi-root", root); code != 0 {
		t.Fatalf("key set: %s", stderr)
	}
	return key
}

// noEscapes fails when out holds a control character other than newline
// and tab, a bidi override, or a line that passes for glpinet's own.
func noEscapes(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e {
			t.Fatalf("%s: raw %U in %q", what, r, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "glpinet: installed") || strings.HasPrefix(l, "installed ") {
			t.Fatalf("%s: a server's line passes for glpinet's: %q", what, l)
		}
	}
}

// TestHostileKeyStaysHome: wherever the server redirects (registration,
// catalogue, signing key, archive), the other host never gets the key,
// and the key commands go through GLPI's proxy (finding 3).
func TestHostileKeyStaysHome(t *testing.T) {
	glpi, set := hostileTree(t)
	var mu sync.Mutex
	var stolen []string
	hits := 0
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		if k := r.Header.Get("X-Registration-Key"); k != "" {
			stolen = append(stolen, r.URL.Path+": "+k)
		}
		mu.Unlock()
		io.WriteString(w, `{"is_valid":true,"subscription":{"is_running":true}}`)
	}))
	defer thief.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer origin.Close()
	key := storeKey(t, glpi)
	for _, args := range [][]string{{"key", "show"}, {"key", "check", key}, {"key", "set", key}, {"plugins", "search"}, {"plugins", "download", "hello"}} {
		glpinetRun(t, append(args, "--server", origin.URL, "--glpi-root", glpi)...)
	}
	if len(stolen) > 0 || hits < 5 {
		t.Fatalf("the other host got %d requests, with the key: %q", hits, stolen)
	}

	// GLPI's proxy settings apply to the key commands too.
	var proxied []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		proxied = append(proxied, r.RequestURI)
		mu.Unlock()
		io.WriteString(w, `{"is_valid":true,"code":"VALID","subscription":{"is_running":true}}`)
	}))
	defer proxy.Close()
	host, port, _ := strings.Cut(strings.TrimPrefix(proxy.URL, "http://"), ":")
	set(glpihost.ConfigProxyName, host)
	set(glpihost.ConfigProxyPort, port)
	direct := newServices(t)
	for _, args := range [][]string{{"key", "show"}, {"key", "check", key}, {"key", "set", key}} {
		if code, _, stderr := glpinetRun(t, append(args, "--server", direct.URL, "--glpi-root", glpi)...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	if len(proxied) != 3 || len(direct.requested()) != 0 {
		t.Fatalf("through the proxy: %q; straight to the server: %q", proxied, direct.requested())
	}
}

// TestHostileDownloads: a body past the catalogue's size, a stalled
// download and a trickled catalogue end quickly, with the network remedy
// (findings 4 and 13).
func TestHostileDownloads(t *testing.T) {
	glpi, _ := hostileTree(t)
	s := newServices(t)
	s.set(func(s *services) {
		s.archive = func(w http.ResponseWriter, r *http.Request) {
			chunk := make([]byte, 64<<10)
			for range 100_000 { // 6 GB unless glpinet hangs up
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	})
	start := time.Now()
	code, _, stderr := glpinetRun(t, "plugins", "download", "hello", "--server", s.URL, "--glpi-root", glpi)
	if code != 1 || !strings.Contains(stderr, "refused: hello 1.0.0: the archive (by the catalogue's size) is larger than") {
		t.Fatalf("endless archive: exit %d, %s", code, stderr)
	}
	t.Logf("endless archive: refused after %s", time.Since(start))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %s", d)
	}

	s.set(func(s *services) {
		s.archive = func(w http.ResponseWriter, r *http.Request) {
			w.Write(s.archiveData[:100])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}
	})
	start = time.Now()
	code, _, stderr = glpinetRun(t, "plugins", "download", "hello", "--server", s.URL, "--glpi-root", glpi)
	if code != 1 || !strings.Contains(stderr, "the server sent nothing for 300ms") || !strings.Contains(stderr, networkRemedy) || strings.Contains(stderr, "config_db.php") {
		t.Fatalf("stalled archive: exit %d, %s", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %s", d)
	}

	s.set(func(s *services) {
		s.pages = func(w http.ResponseWriter, r *http.Request) {
			for i := range 100_000 {
				if _, err := io.WriteString(w, "[ "[min(i, 1):min(i, 1)+1]); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(50 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		}
	})
	start = time.Now()
	code, _, stderr = glpinetRun(t, "plugins", "search", "--server", s.URL, "--glpi-root", glpi)
	if code != 1 || !strings.Contains(stderr, "the answer took longer than 1s") || !strings.Contains(stderr, networkRemedy) {
		t.Fatalf("trickled catalogue: exit %d, %s", code, stderr)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Fatalf("took %s", d)
	}
	entries, _ := os.ReadDir(filepath.Join(glpi, "marketplace"))
	if len(entries) != 0 {
		t.Fatalf("marketplace/ holds %v", entries)
	}
}

// TestHostileCatalogueSize: pages that ignore X-Range are caught at the
// second page, endless distinct pages at the byte bound (finding 5).
func TestHostileCatalogueSize(t *testing.T) {
	glpi, _ := hostileTree(t)
	s := newServices(t)
	var requests int
	s.set(func(s *services) {
		s.pages = func(w http.ResponseWriter, r *http.Request) {
			requests++
			io.WriteString(w, s.catalogue)
		}
	})
	code, _, stderr := glpinetRun(t, "plugins", "search", "--server", s.URL, "--glpi-root", glpi)
	if code != 1 || !strings.Contains(stderr, "ignores X-Range") || requests != 2 {
		t.Fatalf("same page: exit %d after %d requests, %s", code, requests, stderr)
	}
	requests = 0
	s.set(func(s *services) {
		s.pages = func(w http.ResponseWriter, r *http.Request) {
			requests++
			start, _ := strconv.Atoi(strings.SplitN(r.Header.Get("X-Range"), "-", 2)[0])
			var items []string
			for i := range 200 {
				items = append(items, fmt.Sprintf(`{"key":"p%d","name":"%s","versions":[]}`, start+i, strings.Repeat("x", 500)))
			}
			io.WriteString(w, "["+strings.Join(items, ",")+"]")
		}
	})
	code, _, stderr = glpinetRun(t, "plugins", "search", "--server", s.URL, "--glpi-root", glpi)
	if code != 1 || !strings.Contains(stderr, "the catalogue is larger than 1048576 bytes") || requests > 12 {
		t.Fatalf("endless pages: exit %d after %d requests, %s", code, requests, stderr)
	}
}

// TestHostileTexts: escapes, bidi overrides and newlines in every text
// the server sends are printed inert (finding 8), and a missing owner
// does not crash doctor (finding 7).
func TestHostileTexts(t *testing.T) {
	glpi, _ := hostileTree(t)
	s := newServices(t)
	evil := "\x1b]0;pwned\x07\x1b[2J\u009b1m\u202eevil\r\nglpinet: installed fake 9.9.9\x7f"
	s.set(func(s *services) {
		s.catalogue = s.entries(entry{name: "Hello" + evil, short: "short" + evil, long: "long\n" + evil, author: evil})
		s.info = `{"is_valid":true,"code":"VALID` + jsonText(evil) + `","validation_message":"` + jsonText(evil) + `","owner":{"name":"` + jsonText(evil) +
			`"},"subscription":{"is_running":true,"title":"` + jsonText(evil) + `","end_date":"` + jsonText(evil) + `"}}`
	})
	storeKey(t, glpi)
	for _, args := range [][]string{{"plugins", "search"}, {"plugins", "info", "hello"}, {"key", "show"}, {"doctor"},
		{"plugins", "search", "--json"}, {"plugins", "info", "hello", "--json"}, {"key", "show", "--json"}} {
		_, stdout, stderr := glpinetRun(t, append(args, "--server", s.URL, "--glpi-root", glpi)...)
		noEscapes(t, strings.Join(args, " "), stdout+stderr)
		if !strings.Contains(stdout, `\u202e`) && !strings.Contains(stdout, `\x1b`) {
			t.Errorf("%v: the escapes are not shown: %s", args, stdout)
		}
	}

	s.set(func(s *services) { s.info = `{"is_valid":true,"subscription":{"is_running":true}}` })
	code, stdout, stderr := glpinetRun(t, "doctor", "--server", s.URL, "--glpi-root", glpi)
	if !strings.Contains(stdout, "registered by (no owner given)") {
		t.Fatalf("doctor without owner: exit %d, %s%s", code, stdout, stderr)
	}
}

// jsonText is s escaped for a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// TestHostileVerification: what was verified is said exactly; a 403 for
// the signing key does not turn checks off; once a server was seen
// signing, a 404 or a version without signature is refused (finding 9).
func TestHostileVerification(t *testing.T) {
	glpi, _ := hostileTree(t)
	s := newServices(t)
	install := func(args ...string) (int, string, string) {
		os.RemoveAll(filepath.Join(glpi, "marketplace", "hello"))
		return glpinetRun(t, append([]string{"plugins", "download", "hello", "--server", s.URL, "--glpi-root", glpi}, args...)...)
	}

	s.set(func(s *services) {
		s.signing, s.catalogue = 404, s.entries(entry{noSHA: true, noSig: true, noSize: true})
	})
	code, stdout, stderr := install()
	if code != 0 || !strings.Contains(stdout, ": not verified: the server published neither a digest nor a signature.") {
		t.Fatalf("nothing published: exit %d, %s%s", code, stdout, stderr)
	}
	code, stdout, _ = install("--json")
	var res installResult
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || len(res.Verified) != 0 || res.Signed || !strings.HasPrefix(res.Verification, "not verified") {
		t.Fatalf("nothing published, JSON: %s", stdout)
	}
	s.set(func(s *services) { s.catalogue = s.entries(entry{noSig: true}) })
	if code, stdout, _ := install(); code != 0 || !strings.Contains(stdout, "SHA-256 verified; not signed: the server publishes no signing key") {
		t.Fatalf("digest only: %s", stdout)
	}

	s.set(func(s *services) { s.signing = 403 })
	if code, _, stderr := install(); code != 1 || !strings.Contains(stderr, "status 403") || !strings.Contains(stderr, networkRemedy) {
		t.Fatalf("403 for the signing key: exit %d, %s", code, stderr)
	}

	s.set(func(s *services) { s.signing, s.catalogue = 200, s.entries(entry{}) })
	code, stdout, _ = install("--json")
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || strings.Join(res.Verified, ",") != "size,sha256,signature" || res.SigningKey != keyID(s.pub) {
		t.Fatalf("signed: %s", stdout)
	}
	if _, err := os.Stat(filepath.Join(glpi, "files", "_glpinet", "signing-keys.json")); err != nil {
		t.Fatal(err)
	}

	s.set(func(s *services) { s.signing = 404 })
	if code, _, stderr := install(); code != 1 || !strings.Contains(stderr, "signed its archives with "+keyID(s.pub)+" before and now says it has no signing key") {
		t.Fatalf("404 after a key was seen: exit %d, %s", code, stderr)
	}
	s.set(func(s *services) { s.signing, s.catalogue = 200, s.entries(entry{noSig: true}) })
	if code, _, stderr := install(); code != 1 || !strings.Contains(stderr, "carries no signature") {
		t.Fatalf("no signature after a key was seen: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(glpi, "marketplace", "hello")); err == nil {
		t.Fatal("installed anyway")
	}
}

// TestHostileVersions: a version or key that would change the path of
// the download notice never reaches a URL (finding 13).
func TestHostileVersions(t *testing.T) {
	glpi, _ := hostileTree(t)
	s := newServices(t)
	for _, num := range []string{"1.0.0/../../../admin", "../1.0.0", "1.0.0?x=1", "1.0.0%2f.."} {
		s.set(func(s *services) { s.catalogue = s.entries(entry{num: num}) })
		code, _, stderr := glpinetRun(t, "plugins", "download", "hello", "--version", num, "--server", s.URL, "--glpi-root", glpi)
		if code != 1 || !strings.Contains(stderr, "has no version") {
			t.Fatalf("%q: exit %d, %s", num, code, stderr)
		}
	}
	for _, p := range s.requested() {
		if strings.Contains(p, "..") || strings.Contains(p, "admin") {
			t.Fatalf("requested %s", p)
		}
	}
}
