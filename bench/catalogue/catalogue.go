// Package catalogue generates a deterministic plugin catalogue of realistic
// size for glpinetd's benchmarks (bench/run.sh, bench/seed and the Go
// benchmarks of package bench): names, two descriptions (en, fr) of a few
// hundred bytes each, authors, URLs, tags, two or three versions per plugin
// with compatibility constraints (a third of the plugins keep an old release
// for GLPI 9.5 that GLPI 10 does not see), and a quarter of the plugins whose
// newest version is gated by an offer. Every version comes with a real
// .tar.gz archive that "glpinetd plugin publish" accepts.
package catalogue

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/publish"
)

// Generate returns n plugins; the same seed gives the same plugins.
func Generate(n int, seed uint64) []*Plugin {
	g := &generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), used: map[string]bool{}}
	out := make([]*Plugin, n)
	for i := range out {
		out[i] = g.plugin(i)
	}
	return out
}

// Publish publishes every version of p, oldest first, the newest one gated
// when p says so, through pub (archives are written to tmp first), and
// returns how many versions it published.
func (p *Plugin) Publish(ctx context.Context, pub *publish.Publisher, tmp string) (int, error) {
	for j, v := range p.Versions {
		path := filepath.Join(tmp, "glpi-"+p.Key+"-"+v.Num+".tar.gz")
		if err := os.WriteFile(path, p.Archive(v), 0o600); err != nil {
			return j, err
		}
		opts := glpinet.PublishOptions{Compatibility: v.Compat, Meta: p.Meta}
		if j == len(p.Versions)-1 && p.GatedBy != "" {
			opts.RequiredOffers = []string{p.GatedBy}
		}
		_, err := pub.Publish(ctx, path, opts)
		os.Remove(path)
		if err != nil {
			return j, fmt.Errorf("publish %s %s: %w", p.Key, v.Num, err)
		}
	}
	return len(p.Versions), nil
}

// Plugin is one generated plugin: its catalogue text and versions.
type Plugin struct {
	// Key is the plugin key, also the archives' top folder.
	Key string
	// Meta is the catalogue text given to the publisher.
	Meta glpinet.PluginMeta
	// Versions are the releases, oldest first.
	Versions []Version
	// GatedBy is the offer the newest version requires; "" for none.
	GatedBy string
}

// Version is one generated release.
type Version struct {
	// Num is the version number.
	Num string
	// Compat is the Composer constraint given to the publisher.
	Compat string
	// MinGLPI and MaxGLPI are what setup.php declares.
	MinGLPI, MaxGLPI string
}

// generator makes deterministic, varied plugin metadata.
type generator struct {
	rnd  *rand.Rand
	used map[string]bool
}

var (
	adjectives = []string{"Advanced", "Simple", "Smart", "Extended", "Global", "Secure", "Remote", "Dynamic", "Quick",
		"Central", "Unified", "Auto", "Open", "Custom", "Mass", "Shared", "Visual", "Flexible", "Native", "Rich"}
	nouns = []string{"Inventory", "Reports", "Forms", "Assets", "Tickets", "Dashboard", "Contracts", "Licenses",
		"Monitoring", "Printers", "Network", "Datacenter", "Workflow", "Mailing", "Projects", "Calendar", "Barcode",
		"Fields", "Export", "Import", "Geolocation", "Helpdesk", "Backup", "Audit", "Agents", "Racks", "Cables",
		"Certificates", "Domains", "Budgets", "Orders", "Surveys", "Knowledge", "Escalation", "Timeline", "Badges"}
	authors = []string{"Teclib'", "Infotel", "Pluginsglpi", "Ditcom", "Probesys", "Atos", "Jane Doe", "John Smith",
		"Marie Dupont", "Pierre Martin", "Open Source Community", "Acme IT", "Dev Team", "Walid Nouh", "Anne Leroy"}
	licenses = []string{"GPLv2+", "GPLv3+", "AGPLv3+", "MIT", "Apache-2.0"}
	tags     = []string{"inventory", "reports", "helpdesk", "assets", "network", "dashboard", "forms", "export",
		"import", "automation", "security", "monitoring", "mail", "api", "ldap", "notifications", "billing",
		"contracts", "planning", "mobile", "kanban", "ocs", "snmp", "printers", "knowledge-base", "sla",
		"datacenter", "cmdb", "accessibility", "translation"}
	enPhrases = []string{
		"It adds new tabs to the objects it extends and keeps every change in the item history.",
		"Administrators choose which profiles may read or update the data through the usual rights matrix.",
		"The plugin works with the GLPI API, so external tools can read and write its objects.",
		"Mass actions let technicians update hundreds of items at once from the search results.",
		"Notifications are sent through the standard GLPI notification queue and templates.",
		"All texts are translatable and the plugin ships with French, German, Spanish and Italian locales.",
		"Dashboards and search options are provided for every new field, including exports to CSV and PDF.",
		"Automatic actions run through the GLPI cron system and can be configured per entity.",
		"Data is stored in dedicated tables that are created on install and removed on uninstall.",
		"It respects entity visibility and recursion, so multi-tenant setups are fully supported.",
	}
	frPhrases = []string{
		"Il ajoute de nouveaux onglets aux objets qu'il étend et conserve chaque modification dans l'historique.",
		"Les administrateurs choisissent les profils autorisés à lire ou modifier les données via la matrice des droits.",
		"Le plugin fonctionne avec l'API de GLPI : des outils externes peuvent lire et écrire ses objets.",
		"Les actions massives permettent aux techniciens de modifier des centaines d'éléments depuis la recherche.",
		"Les notifications passent par la file d'attente et les gabarits standards de GLPI.",
		"Tous les textes sont traduisibles et le plugin est livré en français, allemand, espagnol et italien.",
		"Des tableaux de bord et options de recherche sont fournis pour chaque champ, avec export CSV et PDF.",
		"Les actions automatiques utilisent le cron de GLPI et se configurent par entité.",
		"Les données sont stockées dans des tables dédiées, créées à l'installation et supprimées à la désinstallation.",
		"Il respecte la visibilité et la récursivité des entités : les installations multi-clients sont gérées.",
	}
	// offers gating the newest version of some plugins.
	gates = []string{"basic", "basic", "standard", "advanced"}
)

func (g *generator) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

// sentences returns n distinct phrases of list joined by spaces.
func (g *generator) sentences(list []string, n int) string {
	idx := g.rnd.Perm(len(list))[:n]
	out := make([]string, n)
	for i, j := range idx {
		out[i] = list[j]
	}
	return strings.Join(out, " ")
}

// plugin generates the i-th plugin.
func (g *generator) plugin(i int) *Plugin {
	adj, noun := g.pick(adjectives), g.pick(nouns)
	name := adj + " " + noun
	key := strings.ToLower(adj + noun)
	for n := 2; g.used[key]; n++ {
		key = strings.ToLower(adj+noun) + fmt.Sprint(n)
		name = fmt.Sprintf("%s %s %d", adj, noun, n)
	}
	g.used[key] = true

	var as []string
	for range 1 + g.rnd.IntN(3) {
		if a := g.pick(authors); !contains(as, a) {
			as = append(as, a)
		}
	}
	var ts []string
	for range 1 + g.rnd.IntN(4) {
		if t := g.pick(tags); !contains(ts, t) {
			ts = append(ts, t)
		}
	}
	note := float64(g.rnd.IntN(51)) / 10
	repo := "https://github.com/pluginsGLPI/" + key
	p := &Plugin{Key: key, Meta: glpinet.PluginMeta{
		Name:         name,
		LogoURL:      "https://raw.githubusercontent.com/pluginsGLPI/" + key + "/main/logo.png",
		HomepageURL:  repo,
		IssuesURL:    repo + "/issues",
		ReadmeURL:    repo + "/blob/main/README.md",
		ChangelogURL: repo + "/blob/main/CHANGELOG.md",
		License:      g.pick(licenses),
		Note:         &note,
		Authors:      as,
		Tags:         ts,
		Descriptions: []glpinet.Description{
			{Lang: "en", Short: name + ": " + strings.ToLower(noun) + " management for GLPI, " + g.sentences(enPhrases, 1),
				Long: name + " extends GLPI with " + strings.ToLower(noun) + " features. " + g.sentences(enPhrases, 3+g.rnd.IntN(3))},
			{Lang: "fr", Short: name + " : gestion " + strings.ToLower(noun) + " pour GLPI. " + g.sentences(frPhrases, 1),
				Long: name + " enrichit GLPI de fonctions " + strings.ToLower(noun) + ". " + g.sentences(frPhrases, 3+g.rnd.IntN(3))},
		},
	}}
	// Two or three releases: an old one for GLPI 9.5 (hidden from GLPI 10
	// by the compatibility filter) on a third of the plugins, then releases
	// for GLPI 10.0 and 10.0-11.0.
	major := 1 + g.rnd.IntN(3)
	if g.rnd.IntN(3) == 0 {
		p.Versions = append(p.Versions, Version{Num: fmt.Sprintf("%d.%d.%d", major, g.rnd.IntN(10), g.rnd.IntN(10)),
			Compat: ">=9.5.0 <10.0.0", MinGLPI: "9.5.0", MaxGLPI: "10.0.0"})
		major++
	}
	minor := g.rnd.IntN(10)
	p.Versions = append(p.Versions,
		Version{Num: fmt.Sprintf("%d.%d.%d", major, minor, g.rnd.IntN(10)), Compat: "~10.0", MinGLPI: "10.0.0", MaxGLPI: "10.0.99"},
		Version{Num: fmt.Sprintf("%d.%d.0", major, minor+1), Compat: ">=10.0.0 <11.1.0", MinGLPI: "10.0.0", MaxGLPI: "11.1.0"})
	if i%4 == 1 {
		p.GatedBy = gates[(i/4)%len(gates)]
	}
	return p
}

// Archive returns the .tar.gz of one version: <key>/setup.php, hook.php and
// README.md.
func (p *Plugin) Archive(v Version) []byte {
	setup := fmt.Sprintf(`<?php
define('PLUGIN_%[1]s_VERSION', '%[2]s');

function plugin_init_%[3]s() {
    global $PLUGIN_HOOKS;
    $PLUGIN_HOOKS['csrf_compliant']['%[3]s'] = true;
}

function plugin_version_%[3]s() {
    return [
        'name'         => '%[4]s',
        'version'      => PLUGIN_%[1]s_VERSION,
        'author'       => '%[5]s',
        'license'      => '%[6]s',
        'homepage'     => '%[7]s',
        'requirements' => ['glpi' => ['min' => '%[8]s', 'max' => '%[9]s']],
    ];
}
`, strings.ToUpper(p.Key), v.Num, p.Key, strings.ReplaceAll(p.Meta.Name, "'", `\'`),
		strings.ReplaceAll(strings.Join(p.Meta.Authors, ", "), "'", `\'`), p.Meta.License, p.Meta.HomepageURL, v.MinGLPI, v.MaxGLPI)
	files := []struct{ name, body string }{
		{"setup.php", setup},
		{"hook.php", "<?php\nfunction plugin_" + p.Key + "_install() { return true; }\nfunction plugin_" + p.Key + "_uninstall() { return true; }\n"},
		{"README.md", "# " + p.Meta.Name + "\n\n" + p.Meta.Descriptions[0].Long + "\n"},
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mtime := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	must(tw.WriteHeader(&tar.Header{Name: p.Key + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime}))
	for _, f := range files {
		must(tw.WriteHeader(&tar.Header{Name: p.Key + "/" + f.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f.body)), ModTime: mtime}))
		_, err := tw.Write([]byte(f.body))
		must(err)
	}
	must(tw.Close())
	must(zw.Close())
	return buf.Bytes()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// must panics on errors that writing to memory cannot have.
func must(err error) {
	if err != nil {
		panic(err)
	}
}
