// Command deb builds glpinet's Debian package from binaries that
// packaging/build.sh has built, with nfpm used as a library: no dpkg-dev,
// no debian/ folder, the same package from any machine with Go.
//
//	go run . -version 1.2.0 -dist ../../dist -out ../../dist/glpinet_1.2.0_amd64.deb
//
// The -dist folder must hold glpinetd, glpinet and man/glpinetd.1.gz,
// man/glpinet.1.gz. The units, the settings file and the maintainer scripts
// are in files/ beside this file. File times come from SOURCE_DATE_EPOCH
// when set, so that one commit gives one package.
//
// This program is a module of its own (packaging/deb/go.mod): nfpm brings
// some forty modules (git, ssh, templating) that the server never uses, and
// keeping them out of the main go.mod keeps them out of its go.sum, its
// dependency updates and its vulnerability reports.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the "deb" packager
	"github.com/goreleaser/nfpm/v2/files"
)

func main() {
	version := flag.String("version", "", "the package's Debian version, e.g. 1.2.0 or 0.0.0~git20261205.0123abc")
	dist := flag.String("dist", "", "the folder holding the binaries and man/")
	filesDir := flag.String("files", "files", "the folder holding the units, settings and maintainer scripts")
	docs := flag.String("docs", "", "a folder holding README.md and operations.md, shipped in /usr/share/doc/glpinet (optional)")
	out := flag.String("out", "", "the .deb to write")
	flag.Parse()
	if *version == "" || *dist == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: deb -version V -dist DIR [-files DIR] [-docs DIR] -out FILE.deb")
		os.Exit(2)
	}
	if err := build(*version, *dist, *filesDir, *docs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "deb:", err)
		os.Exit(1)
	}
}

// debVersion is what dpkg accepts as an upstream version with no epoch or
// revision: it must start with a digit.
var debVersion = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

func build(version, dist, filesDir, docs, out string) error {
	if !debVersion.MatchString(version) {
		return fmt.Errorf("version %q is not a Debian version (digits first, then letters, digits, . + ~)", version)
	}
	f := func(name string) string { return filepath.Join(filesDir, name) }
	d := func(name string) string { return filepath.Join(dist, name) }
	mode := func(m os.FileMode) *files.ContentFileInfo {
		return &files.ContentFileInfo{Owner: "root", Group: "root", Mode: m}
	}
	contents := files.Contents{
		{Source: d("glpinetd"), Destination: "/usr/bin/glpinetd", FileInfo: mode(0o755)},
		{Source: d("glpinet"), Destination: "/usr/bin/glpinet", FileInfo: mode(0o755)},
		{Source: d("man/glpinetd.1.gz"), Destination: "/usr/share/man/man1/glpinetd.1.gz", FileInfo: mode(0o644)},
		{Source: d("man/glpinet.1.gz"), Destination: "/usr/share/man/man1/glpinet.1.gz", FileInfo: mode(0o644)},
		// Where Debian's bash-completion, zsh and fish look for packaged
		// completions.
		{Source: d("completions/glpinetd.bash"), Destination: "/usr/share/bash-completion/completions/glpinetd", FileInfo: mode(0o644)},
		{Source: d("completions/glpinet.bash"), Destination: "/usr/share/bash-completion/completions/glpinet", FileInfo: mode(0o644)},
		{Source: d("completions/_glpinetd"), Destination: "/usr/share/zsh/vendor-completions/_glpinetd", FileInfo: mode(0o644)},
		{Source: d("completions/_glpinet"), Destination: "/usr/share/zsh/vendor-completions/_glpinet", FileInfo: mode(0o644)},
		{Source: d("completions/glpinetd.fish"), Destination: "/usr/share/fish/vendor_completions.d/glpinetd.fish", FileInfo: mode(0o644)},
		{Source: d("completions/glpinet.fish"), Destination: "/usr/share/fish/vendor_completions.d/glpinet.fish", FileInfo: mode(0o644)},
		{Source: f("glpinetd.service"), Destination: "/usr/lib/systemd/system/glpinetd.service", FileInfo: mode(0o644)},
		{Source: f("glpinetd-backup.service"), Destination: "/usr/lib/systemd/system/glpinetd-backup.service", FileInfo: mode(0o644)},
		{Source: f("glpinetd-backup.timer"), Destination: "/usr/lib/systemd/system/glpinetd-backup.timer", FileInfo: mode(0o644)},
		{Source: f("glpinetd-backup"), Destination: "/usr/lib/glpinet/glpinetd-backup", FileInfo: mode(0o755)},
		// A conffile: dpkg keeps the administrator's edits on upgrade and
		// asks when both sides changed it. postinst gives it to the
		// glpinet group (0640): it may hold the database's password.
		{Source: f("glpinetd.env"), Destination: "/etc/glpinet/glpinetd.env", Type: files.TypeConfig, FileInfo: mode(0o640)},
		{Destination: "/etc/glpinet", Type: files.TypeDir, FileInfo: mode(0o755)},
		// Debian policy 12.5: every package carries its copyright file.
		{Source: f("copyright"), Destination: "/usr/share/doc/glpinet/copyright", FileInfo: mode(0o644)},
	}
	if docs != "" {
		contents = append(contents,
			&files.Content{Source: filepath.Join(docs, "README.md"), Destination: "/usr/share/doc/glpinet/README.md", FileInfo: mode(0o644)},
			&files.Content{Source: filepath.Join(docs, "operations.md"), Destination: "/usr/share/doc/glpinet/operations.md", FileInfo: mode(0o644)},
		)
	}
	info := &nfpm.Info{
		Name:     "glpinet",
		Arch:     "amd64",
		Platform: "linux",
		Version:  version,
		// Taken as it is: nfpm's default reads a semantic version and
		// would rewrite 0.0.0~git... .
		VersionSchema: "none",
		Section:       "net",
		Priority:      "optional",
		Maintainer:    "glpinet maintainers <glpinet@users.noreply.github.com>",
		Homepage:      "https://github.com/glpinet/glpinet",
		License:       "GPL-3.0-or-later",
		Description: "self-hosted GLPI Network services: registration keys, subscriptions, plugin marketplace\n" +
			"glpinetd serves the GLPI Network API that an unmodified GLPI uses (registration\n" +
			"keys, subscriptions, the plugin marketplace), a customer portal and a management\n" +
			"API. glpinet is the GLPI administrator's tool: it points GLPI at a server,\n" +
			"stores the key as GLPI does and diagnoses registration and marketplace failures.",
		Overridables: nfpm.Overridables{
			// useradd and groupadd (passwd), systemd's helpers
			// (init-system-helpers) and kill for ExecReload (procps) are
			// in every Debian; named anyway for minimal images.
			Depends:  []string{"passwd", "init-system-helpers (>= 1.52)", "procps"},
			Contents: contents,
			Umask:    0o022,
			Scripts: nfpm.Scripts{
				PostInstall: f("postinst"),
				PreRemove:   f("prerm"),
				PostRemove:  f("postrm"),
			},
			Deb: nfpm.Deb{Compression: "xz"},
		},
	}
	info = nfpm.WithDefaults(info)
	if err := nfpm.Validate(info); err != nil {
		return err
	}
	pkg, err := nfpm.Get("deb")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp := out + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		return err
	}
	info.Target = out
	if err := pkg.Package(info, w); err != nil {
		w.Close()
		os.Remove(tmp)
		return err
	}
	if err := w.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	// Renamed only when complete: a failed build leaves no half package
	// under the name CI and users install.
	return os.Rename(tmp, out)
}
