// Package version says which build of glpinet is running: the module
// version, the commit it was built from and when, for --version, logs and
// bug reports.
//
// A plain `go build` inside a git checkout records the commit in the binary
// (runtime/debug.ReadBuildInfo's vcs.* settings) and Get reads it from there.
// Packaged builds are made from an exported tree, with -buildvcs=false or
// -trimpath, or from a tag the module proxy never saw, so the packager names
// the version itself with the linker:
//
//	go build -ldflags "-X github.com/glpinet/glpinet/internal/version.version=1.2.0 \
//	    -X github.com/glpinet/glpinet/internal/version.commit=0123abc \
//	    -X github.com/glpinet/glpinet/internal/version.date=2026-12-05T18:00:00Z" ./cmd/glpinetd
//
// A value given with -X wins over the build information; what neither gives
// is left empty (and the version is "devel").
package version

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set with -ldflags -X by packaged builds (packaging/build.sh). They are
// unexported strings because -X can only set string variables, and nothing
// else should change them at run time.
var (
	version  string // e.g. 1.2.0 or 0.0.0~git20261205.0123abc
	commit   string // full or short VCS revision
	date     string // build or commit time, RFC 3339
	modified string // "true" when built from a tree with uncommitted changes
)

// Info describes one build.
type Info struct {
	// Version is the release ("1.2.0"), the module version go install
	// recorded ("v1.2.0"), or "devel" for a build from a work tree.
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from, if known.
	Commit string `json:"commit,omitempty"`
	// Date is the commit's or the build's time (RFC 3339), if known.
	Date string `json:"date,omitempty"`
	// Modified is true when the work tree had uncommitted changes: the
	// commit alone does not reproduce this binary.
	Modified bool `json:"modified,omitempty"`
	// Go is the Go release that compiled the binary.
	Go string `json:"go"`
}

// Get returns this binary's build information.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return resolve(bi, version, commit, date, modified)
}

// resolve merges the linker's values over the build information; it is
// separate from Get so that tests can feed it both.
func resolve(bi *debug.BuildInfo, ldVersion, ldCommit, ldDate, ldModified string) Info {
	info := Info{Go: runtime.Version()}
	if bi != nil {
		if bi.GoVersion != "" {
			info.Go = bi.GoVersion
		}
		// "(devel)" is what the go command records for the main module
		// built from its own work tree: it says nothing.
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.time":
				info.Date = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if ldVersion != "" {
		info.Version = ldVersion
	}
	if ldCommit != "" {
		info.Commit = ldCommit
	}
	if ldDate != "" {
		info.Date = ldDate
	}
	if ldModified != "" {
		info.Modified = ldModified == "true"
	}
	if info.Version == "" {
		info.Version = "devel"
	}
	return info
}

// String is the one-line form --version prints after the program's name:
// "1.2.0 (commit 0123abcdef01, 2026-12-05T18:00:00Z, go1.26.8)".
func (i Info) String() string {
	var extra []string
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12] // as many digits as anyone types, unambiguous in practice
		}
		if i.Modified {
			c += "+dirty"
		}
		extra = append(extra, "commit "+c)
	}
	if i.Date != "" {
		extra = append(extra, i.Date)
	}
	extra = append(extra, i.Go)
	return fmt.Sprintf("%s (%s)", i.Version, strings.Join(extra, ", "))
}

// Line is what `PROGRAM --version` prints: the program's name, then String.
func Line(program string) string {
	return program + " " + Get().String()
}

// JSON is what `PROGRAM version --json` prints, for scripts and inventories.
func JSON() []byte {
	b, _ := json.Marshal(Get()) // a struct of strings and a bool cannot fail
	return b
}
