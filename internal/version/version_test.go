package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolveFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/glpinet/glpinet", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-05T18:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := resolve(bi, "", "", "", "")
	want := Info{Version: "devel", Commit: "0123456789abcdef0123456789abcdef01234567",
		Date: "2026-12-05T18:00:00Z", Modified: true, Go: "go1.26.8"}
	if got != want {
		t.Fatalf("resolve = %+v, want %+v", got, want)
	}
	if s := got.String(); s != "devel (commit 0123456789ab+dirty, 2026-12-05T18:00:00Z, go1.26.8)" {
		t.Errorf("String = %q", s)
	}
}

func TestResolveModuleVersion(t *testing.T) {
	// go install module@v1.2.0 records the module's version and no VCS.
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}}
	got := resolve(bi, "", "", "", "")
	if got.Version != "v1.2.0" || got.Commit != "" {
		t.Fatalf("resolve = %+v", got)
	}
	if s := got.String(); s != "v1.2.0 (go1.26.8)" {
		t.Errorf("String = %q", s)
	}
}

func TestLinkerValuesWin(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "aaaa"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := resolve(bi, "1.2.0", "bbbb", "2026-12-05T18:00:00Z", "false")
	want := Info{Version: "1.2.0", Commit: "bbbb", Date: "2026-12-05T18:00:00Z", Go: "go1.26.8"}
	if got != want {
		t.Fatalf("resolve = %+v, want %+v", got, want)
	}
}

func TestNoBuildInfo(t *testing.T) {
	got := resolve(nil, "", "", "", "")
	if got.Version != "devel" || got.Go == "" {
		t.Fatalf("resolve(nil) = %+v", got)
	}
}

func TestLineAndJSON(t *testing.T) {
	if l := Line("glpinetd"); !strings.HasPrefix(l, "glpinetd ") {
		t.Errorf("Line = %q", l)
	}
	if j := string(JSON()); !strings.Contains(j, `"version":`) {
		t.Errorf("JSON = %s", j)
	}
}
