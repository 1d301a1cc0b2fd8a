package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/internal/hostfile"
	"github.com/glpinet/glpinet/phpver"
	"github.com/glpinet/glpinet/pluginarchive"
)

// searchHit is a plugin found by search.
type searchHit struct {
	Key            string   `json:"key"`
	Name           string   `json:"name"`
	Newest         string   `json:"newest,omitempty"` // for this GLPI; "" when none
	Downloadable   bool     `json:"downloadable"`
	RequiredOffers []string `json:"required_offers,omitempty"`
	Description    string   `json:"description"`
}

// pluginsSearch lists the plugins whose key, name, descriptions, authors
// or tags contain TEXT (all of them without TEXT), as GLPI's search box
// does, optionally within a tag as GLPI's tag filter does.
func pluginsSearch(ctx context.Context, args []string, stdout io.Writer) error {
	var p pluginFlags
	pos, err := p.parse("plugins search", args, func(fs *flag.FlagSet) {
		fs.StringVar(&p.tag, "tag", "", "only plugins with this tag")
		fs.BoolVar(&p.prereleases, "prereleases", false, "consider alpha, beta and RC versions")
	})
	if err != nil {
		return err
	}
	text := strings.ToLower(strings.Join(pos, " "))
	m, err := p.openMarket(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	plugins, err := m.catalogue(ctx)
	if err != nil {
		return err
	}
	var inTag map[string]bool
	if p.tag != "" {
		// GLPI intersects the tag's keys with the catalogue.
		tagged, st, err := m.glpi.TagPlugins(ctx, p.tag)
		if err == nil && st.Truncated {
			err = fmt.Errorf("three attempts at one page failed, the last with: %w", st.LastError)
		}
		if err != nil {
			return unavailable(m.server, "did not send the plugins of tag "+p.tag, err)
		}
		inTag = map[string]bool{}
		for _, t := range tagged {
			inTag[t.Key] = true
		}
	}
	hits := []searchHit{}
	for i := range plugins {
		pl := &plugins[i]
		if inTag != nil && !inTag[pl.Key] || !matches(pl, text) {
			continue
		}
		h := searchHit{Key: pl.Key, Name: pl.Name, RequiredOffers: pl.RequiredOffers}
		h.Description, _ = description(pl)
		if v, ok := newest(pl, m.glpi.Version, p.prereleases); ok {
			h.Newest, h.Downloadable = v.Num, v.DownloadURL != nil
		}
		hits = append(hits, h)
	}
	return p.out(stdout).Result(map[string]any{"glpi_version": m.glpi.Version, "plugins": hits}, func(w io.Writer) {
		if len(hits) == 0 {
			fmt.Fprintf(w, "No plugin matches on %s.\n", m.server)
			return
		}
		fmt.Fprintf(w, "KEY\tNAME\tVERSION\tACCESS\tDESCRIPTION\n")
		for _, h := range hits {
			ver, access := h.Newest, "free"
			switch {
			case ver == "":
				ver, access = "-", "not for GLPI "+m.glpi.Version
			case !h.Downloadable:
				access = "needs " + cli.Clean(strings.Join(h.RequiredOffers, "/"))
			case len(h.RequiredOffers) > 0:
				access = "included in your offer"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", h.Key, cli.Clean(h.Name), ver, access, shorten(h.Description, 60))
		}
	})
}

// matches is GLPI's client-side search: a case-insensitive substring of
// the plugin's text.
func matches(p *client.Plugin, text string) bool {
	if text == "" {
		return true
	}
	fields := []string{p.Key, p.Name}
	for _, d := range p.Descriptions {
		fields = append(fields, d.Short, d.Long)
	}
	for _, a := range p.Authors {
		fields = append(fields, a.Name)
	}
	fields = append(fields, p.Tags...)
	return strings.Contains(strings.ToLower(strings.Join(fields, "\n")), text)
}

// shorten cleans a server's text to one line of at most n characters.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(cli.Clean(s)), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// pluginsInfo shows one plugin: its texts, links, and every version this
// GLPI can see with its compatibility, stability, offers and archive.
func pluginsInfo(ctx context.Context, args []string, stdout io.Writer) error {
	var p pluginFlags
	pos, err := p.parse("plugins info", args, nil)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("plugins info takes one plugin KEY")
	}
	m, err := p.openMarket(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	pl, err := m.plugin(ctx, pos[0])
	if err != nil {
		return err
	}
	installed, _ := installedPlugins(m.in)
	inst := installed[pl.Key]
	res := map[string]any{"glpi_version": m.glpi.Version, "plugin": pl, "installed": inst}
	return p.out(stdout).Result(res, func(w io.Writer) {
		// Every text but the key (checked by usable) is the server's:
		// cleaned to one line, the long description kept in indented
		// lines so that none can pass for glpinet's.
		short, long := description(pl)
		fmt.Fprintf(w, "%s (%s)\n", cli.Clean(pl.Name), pl.Key)
		if short != "" {
			fmt.Fprintf(w, "%s\n", cli.Clean(short))
		}
		if long != "" && long != short {
			fmt.Fprintf(w, "\n%s\n", cli.CleanLines(strings.TrimSpace(long), "    "))
		}
		fmt.Fprintln(w)
		var authors []string
		for _, a := range pl.Authors {
			authors = append(authors, a.Name)
		}
		for _, f := range [][2]string{{"authors", strings.Join(authors, ", ")}, {"license", pl.License},
			{"homepage", pl.HomepageURL}, {"issues", pl.IssuesURL}, {"changelog", pl.ChangelogURL},
			{"tags", strings.Join(pl.Tags, ", ")}, {"offers", strings.Join(pl.RequiredOffers, ", ")}} {
			if f[1] != "" {
				fmt.Fprintf(w, "%s:\t%s\n", f[0], cli.Clean(f[1]))
			}
		}
		if inst != nil {
			fmt.Fprintf(w, "installed:\t%s in %s\n", orDash(inst.Version), inst.Where)
		}
		if len(pl.Versions) == 0 {
			fmt.Fprintf(w, "\nNo version is compatible with GLPI %s.\n", m.glpi.Version)
			return
		}
		fmt.Fprintf(w, "\nVERSION\tGLPI\tSTABILITY\tACCESS\tSIZE\tSHA-256\n")
		for _, v := range candidates(pl, "", true) {
			access := "free"
			switch {
			case v.DownloadURL == nil:
				access = "needs " + cli.Clean(strings.Join(offers(v, pl), "/"))
			case len(v.RequiredOffers) > 0:
				access = "included in your offer"
			}
			if !compatible(v, m.glpi.Version) {
				access = "not for GLPI " + m.glpi.Version
			}
			sum := v.SHA256
			if len(sum) > 16 {
				sum = sum[:16] + "…"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", v.Num, orDash(cli.Clean(v.Compatibility)), orDash(cli.Clean(v.Stability)), access, sizeText(v.Size), orDash(cli.Clean(sum)))
		}
	})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sizeText(n int64) string {
	switch {
	case n <= 0:
		return "-"
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// installed is a plugin directory with the version its setup.php declares.
type installed struct {
	glpihost.PluginDir
	Version string `json:"version"` // "" when setup.php cannot be read
	// Shadowed is set on a plugins/ directory when marketplace/ holds the
	// same key: GLPI loads the marketplace one.
	Shadowed bool `json:"shadowed,omitempty"`
}

// installedPlugins maps each key to the directory GLPI loads (marketplace
// first), and lists every directory found, shadowed ones included.
func installedPlugins(in *glpihost.Install) (map[string]*installed, []*installed) {
	dirs, err := in.Plugins()
	if err != nil {
		return map[string]*installed{}, nil
	}
	byKey := map[string]*installed{}
	var all []*installed
	for _, d := range dirs {
		i := &installed{PluginDir: d, Version: setupVersion(d)}
		if byKey[d.Key] != nil {
			i.Shadowed = true
		} else {
			byKey[d.Key] = i
		}
		all = append(all, i)
	}
	return byKey, all
}

// maxSetupPHP bounds the setup.php read: real ones are a few KB.
const maxSetupPHP = 1 << 20

// setupVersion reads the version a plugin directory's setup.php declares
// ("" when the file is not a regular file of at most 1 MiB, or the
// version not a version string).
func setupVersion(d glpihost.PluginDir) string {
	src, err := hostfile.Read(d.SetupPHPPath(), maxSetupPHP)
	if err != nil {
		return ""
	}
	info, err := pluginarchive.ParseSetupPHP(src, d.Key)
	if err != nil || !client.ValidVersion(info.Version) {
		return ""
	}
	return info.Version
}

// listed is a row of "plugins list".
type listed struct {
	*installed
	State string `json:"state,omitempty"` // from glpi_plugins, "" when unknown
	// GLPIVersion is the version glpi_plugins records when it differs
	// from the files' (GLPI has not run the update yet).
	GLPIVersion string `json:"glpi_installed_version,omitempty"`
	Available   string `json:"available,omitempty"` // newest compatible version in the marketplace
	Update      bool   `json:"update"`
	InCatalog   bool   `json:"in_catalogue"`
}

// pluginsList lists the plugins of marketplace/ and plugins/ with their
// version and GLPI state, and the newest version the marketplace offers
// this GLPI (not with --offline).
func pluginsList(ctx context.Context, args []string, stdout io.Writer) error {
	var p pluginFlags
	if _, err := p.parse("plugins list", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&p.offline, "offline", false, "do not ask the marketplace for newer versions")
		fs.BoolVar(&p.prereleases, "prereleases", false, "consider alpha, beta and RC versions")
	}); err != nil {
		return err
	}
	m, err := p.openMarket(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	_, all := installedPlugins(m.in)
	// The table may be missing (GLPI not installed yet): states are then
	// left out rather than failing the listing.
	states, _ := m.db.Plugins(ctx)
	var catalogue []client.Plugin
	if !p.offline && len(all) > 0 {
		if catalogue, err = m.catalogue(ctx); err != nil {
			return err
		}
	}
	rows := []listed{}
	for _, i := range all {
		r := listed{installed: i}
		if rec, ok := states[i.Key]; ok && !i.Shadowed {
			r.State = rec.State.String()
			// GLPI notices new files only when its Plugins page loads.
			if rec.Version != "" && i.Version != "" && rec.Version != i.Version {
				r.GLPIVersion = rec.Version
			}
		}
		for c := range catalogue {
			if catalogue[c].Key != i.Key {
				continue
			}
			r.InCatalog = true
			if v, ok := newest(&catalogue[c], m.glpi.Version, p.prereleases); ok {
				r.Available = v.Num
				r.Update = !i.Shadowed && i.Version != "" && phpver.Compare(v.Num, i.Version) > 0
			}
		}
		rows = append(rows, r)
	}
	return p.out(stdout).Result(map[string]any{"glpi_version": m.glpi.Version, "plugins": rows}, func(w io.Writer) {
		if len(rows) == 0 {
			fmt.Fprintf(w, "No plugin in %s or %s.\n", m.in.MarketplaceDir(), m.in.PluginsDir())
			return
		}
		fmt.Fprintf(w, "KEY\tDIRECTORY\tVERSION\tSTATE\tAVAILABLE\tUPDATE\n")
		for _, r := range rows {
			where := r.Where + "/"
			if r.Shadowed {
				where += " (hidden by marketplace/)"
			}
			if r.VCS != "" {
				where += " (" + r.VCS + ")"
			}
			avail := r.Available
			switch {
			case p.offline:
				avail = "?"
			case !r.InCatalog:
				avail = "not in marketplace"
			case avail == "":
				avail = "none for GLPI " + m.glpi.Version
			}
			upd := ""
			if r.Update {
				upd = "yes"
			}
			state := orDash(r.State)
			if r.GLPIVersion != "" {
				state += " (GLPI runs " + r.GLPIVersion + ")"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Key, where, orDash(r.Version), state, avail, upd)
		}
	})
}
