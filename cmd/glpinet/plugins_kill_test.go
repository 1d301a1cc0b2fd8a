//go:build unix

package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/google/go-cmp/cmp"
)

// slowArchives serves the services at upstream, with plugin archives
// trickled (256 bytes every 20 ms) so that a kill can land during the
// download.
func slowArchives(t *testing.T, upstream string) string {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(r *http.Response) error {
		if strings.Contains(r.Request.URL.Path, "/archives/") {
			r.Body = &trickle{r.Body}
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// trickle reads 256 bytes at most every 20 ms.
type trickle struct{ io.ReadCloser }

func (s *trickle) Read(p []byte) (int, error) {
	time.Sleep(20 * time.Millisecond)
	if len(p) > 256 {
		p = p[:256]
	}
	return s.ReadCloser.Read(p)
}

// pluginTree is a GLPI tree pointed at the test marketplace, with the
// complete trees of hello 1.0.0 and 1.1.0 as installed by uninterrupted
// commands.
type pluginTree struct {
	*glpiTree
	tmp      string // TMPDIR of the glpinet processes
	versions map[string]map[string]string
}

func newPluginTree(t *testing.T) *pluginTree {
	t.Helper()
	services, _ := startServices(t)
	p := &pluginTree{glpiTree: newGLPITree(t), tmp: t.TempDir(), versions: map[string]map[string]string{}}
	p.env = []string{"TMPDIR=" + p.tmp}
	p.must(t, "configure", "--server", slowArchives(t, services))
	p.must(t, "plugins", "download", "hello", "--version", "1.1.0")
	p.versions["1.1.0"] = p.hello(t)
	p.install100(t)
	p.versions["1.0.0"] = p.hello(t)
	if cmp.Equal(p.versions["1.0.0"], p.versions["1.1.0"]) {
		t.Fatal("the two versions have the same files")
	}
	return p
}

// install100 puts hello 1.0.0 back in place.
func (p *pluginTree) install100(t *testing.T) {
	t.Helper()
	os.RemoveAll(filepath.Join(p.root, "marketplace", "hello"))
	p.must(t, "plugins", "download", "hello", "--version", "1.0.0")
}

// must runs glpinet, which must succeed.
func (p *pluginTree) must(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := p.run(t, args...)
	if err != nil {
		t.Fatalf("glpinet %v: %v\n%s%s", args, err, out, stderr)
	}
	return out
}

// hello describes marketplace/hello.
func (p *pluginTree) hello(t *testing.T) map[string]string {
	t.Helper()
	return testkit.Tree(t, filepath.Join(p.root, "marketplace", "hello"))
}

// assertComplete checks that GLPI sees hello as one complete version,
// never a mix nor nothing, and returns which.
func (p *pluginTree) assertComplete(t *testing.T, when string) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(p.root, "marketplace", "hello")); err != nil {
		t.Fatalf("%s: GLPI sees no hello: %v", when, err)
	}
	got := p.hello(t)
	for v, want := range p.versions {
		if cmp.Equal(got, want) {
			return v
		}
	}
	t.Fatalf("%s: marketplace/hello is neither 1.0.0 nor 1.1.0 complete:\n%s", when, cmp.Diff(p.versions["1.1.0"], got))
	return ""
}

// assertClean checks that nothing of glpinet's is left in GLPI's plugin
// folders nor in the temporary directory.
func (p *pluginTree) assertClean(t *testing.T) {
	t.Helper()
	for _, dir := range []string{filepath.Join(p.root, "marketplace"), filepath.Join(p.root, "plugins"), p.tmp} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".glpinet-") {
				t.Errorf("left in %s: %s", dir, e.Name())
			}
		}
	}
}

// TestPluginsUpdateKilledAtEachStep SIGKILLs `glpinet plugins update`
// when the new version is extracted in its staging folder, and when it
// was swapped in with the previous version still in staging. GLPI must
// see a complete version at once, and the next run leaves no staging
// folder and ends with 1.1.0. Before, the staging folder stayed for ever,
// and a kill between the two renames of the swap left no hello at all.
func TestPluginsUpdateKilledAtEachStep(t *testing.T) {
	p := newPluginTree(t)
	for step, want := range map[string]string{"plugin-extracted": "1.0.0", "plugin-swapped": "1.1.0"} {
		t.Run(step, func(t *testing.T) {
			p.install100(t)
			proc := p.start(t, []string{glihostPause(step)}, "plugins", "update", "hello")
			proc.waitLine(t, "paused at "+step)
			staging, _ := filepath.Glob(filepath.Join(p.root, "marketplace", ".glpinet-staging-hello-*"))
			if len(staging) != 1 {
				t.Fatalf("staging folders while paused: %v", staging)
			}
			proc.cmd.Process.Kill()
			proc.wait(t, 5*time.Second)
			if got := p.assertComplete(t, "after the kill"); got != want {
				t.Fatalf("after the kill: hello %s, want %s", got, want)
			}
			out := p.must(t, "plugins", "update", "hello")
			if got := p.assertComplete(t, "after the next run"); got != "1.1.0" {
				t.Fatalf("after the next run: hello %s\n%s", got, out)
			}
			p.assertClean(t)
		})
	}
}

// TestPluginsUpdateKilledAtRandom SIGKILLs updates at random moments
// (seeded, logged) while the archive trickles in, then runs the update
// again.
func TestPluginsUpdateKilledAtRandom(t *testing.T) {
	p := newPluginTree(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	// How long an update takes, to spread the kills over it.
	p.install100(t)
	t0 := time.Now()
	p.must(t, "plugins", "update", "hello")
	full := time.Since(t0)
	t.Logf("an update takes %v", full.Round(time.Millisecond))
	seen := map[string]int{}
	for i := range 6 {
		p.install100(t)
		proc := p.start(t, nil, "plugins", "update", "hello")
		time.Sleep(time.Duration(rng.Int64N(int64(full))))
		proc.cmd.Process.Kill()
		proc.wait(t, 5*time.Second)
		seen[p.assertComplete(t, fmt.Sprintf("round %d, after the kill", i))]++
		p.must(t, "plugins", "update", "hello")
		if got := p.assertComplete(t, fmt.Sprintf("round %d, after the next run", i)); got != "1.1.0" {
			t.Fatalf("round %d: hello %s after the next run", i, got)
		}
		p.assertClean(t)
	}
	t.Logf("versions seen right after the kills: %v", seen)
}
