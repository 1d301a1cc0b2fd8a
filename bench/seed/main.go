// Command seed fills a glpinetd data directory with a plugin catalogue of
// realistic size for the benchmarks in bench/run.sh.
//
// It builds one real .tar.gz archive per plugin version (a top folder named
// after the plugin key, holding a setup.php that declares
// plugin_version_<key>() with GLPI requirements) and publishes it through
// the same publish.Publisher that "glpinetd plugin publish" uses, signing
// key included, but with a single database connection for the whole run
// instead of one per archive.
//
// The catalogue is deterministic for a given -seed: names, two descriptions
// (en, fr) of a few hundred bytes each, authors, URLs, tags, two or three
// versions per plugin with compatibility constraints (some of which exclude
// GLPI 10.0), and about a quarter of the plugins gated by an offer.
//
// Usage:
//
//	go run ./bench/seed --data bench/out/data --plugins 480
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/sqlite"
)

func main() {
	data := flag.String("data", "bench/out/data", "glpinetd data directory (database DATA/glpinet.db, archives DATA/archives)")
	count := flag.Int("plugins", 480, "number of plugins to publish")
	seed := flag.Uint64("seed", 1, "random seed: the same seed gives the same catalogue")
	workers := flag.Int("workers", 8, "plugins published in parallel")
	flag.Parse()
	if err := run(context.Background(), *data, *count, *seed, max(1, *workers)); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

// run publishes count plugins into the data directory with that many
// workers.
func run(ctx context.Context, data string, count int, seed uint64, workers int) error {
	start := time.Now()
	ctx = glpinet.WithActor(ctx, "cli:bench-seed")
	db, err := sqlite.Open(ctx, filepath.Join(data, "glpinet.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	signing, err := publish.LoadOrCreateSigningKey(filepath.Join(data, "signing.key"))
	if err != nil {
		return err
	}
	pub := &publish.Publisher{Store: db, ArchiveDir: filepath.Join(data, "archives"),
		Limits: pluginarchive.DefaultLimits(), SigningKey: signing}
	tmp, err := os.MkdirTemp("", "glpinet-seed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// Generate everything first so that the catalogue does not depend on
	// the order the workers publish in.
	g := &generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), used: map[string]bool{}}
	specs := make([]*pluginSpec, count)
	gated := 0
	for i := range specs {
		specs[i] = g.plugin(i)
		if specs[i].gatedBy != "" {
			gated++
		}
	}
	// Publishing is dominated by the fsync of each stored archive; a few
	// workers overlap them (the store serialises the writes themselves).
	// A plugin's versions are published in order by one worker.
	var (
		next     atomic.Int64
		versions atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(specs) {
					return
				}
				n, err := publishPlugin(ctx, pub, tmp, specs[i])
				versions.Add(int64(n))
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					next.Store(int64(len(specs)))
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	fmt.Printf("published %d plugins, %d versions (%d plugins gated by an offer) in %s\n",
		count, versions.Load(), gated, time.Since(start).Round(time.Millisecond))
	return nil
}

// publishPlugin publishes every version of p, oldest first, the newest
// one gated when p says so, and returns how many it published.
func publishPlugin(ctx context.Context, pub *publish.Publisher, tmp string, p *pluginSpec) (int, error) {
	for j, v := range p.versions {
		path := filepath.Join(tmp, "glpi-"+p.key+"-"+v.num+".tar.gz")
		if err := os.WriteFile(path, p.archive(v), 0o600); err != nil {
			return j, err
		}
		opts := publish.Options{Compatibility: v.compat, Meta: p.meta}
		if j == len(p.versions)-1 && p.gatedBy != "" {
			opts.RequiredOffers = []string{p.gatedBy}
		}
		if _, err := pub.Publish(ctx, path, opts); err != nil {
			return j, fmt.Errorf("publish %s %s: %w", p.key, v.num, err)
		}
		os.Remove(path)
	}
	return len(p.versions), nil
}

// pluginSpec is one generated plugin: its catalogue text and versions.
type pluginSpec struct {
	key      string
	meta     publish.Metadata
	versions []versionSpec
	gatedBy  string // offer required by the newest version; "" for none
}

// versionSpec is one generated release.
type versionSpec struct {
	num              string
	compat           string // Composer constraint sent to the publisher
	minGLPI, maxGLPI string // what setup.php declares
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
func (g *generator) plugin(i int) *pluginSpec {
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
	p := &pluginSpec{key: key, meta: publish.Metadata{
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
		p.versions = append(p.versions, versionSpec{num: fmt.Sprintf("%d.%d.%d", major, g.rnd.IntN(10), g.rnd.IntN(10)),
			compat: ">=9.5.0 <10.0.0", minGLPI: "9.5.0", maxGLPI: "10.0.0"})
		major++
	}
	minor := g.rnd.IntN(10)
	p.versions = append(p.versions,
		versionSpec{num: fmt.Sprintf("%d.%d.%d", major, minor, g.rnd.IntN(10)), compat: "~10.0", minGLPI: "10.0.0", maxGLPI: "10.0.99"},
		versionSpec{num: fmt.Sprintf("%d.%d.0", major, minor+1), compat: ">=10.0.0 <11.1.0", minGLPI: "10.0.0", maxGLPI: "11.1.0"})
	if i%4 == 1 {
		p.gatedBy = gates[(i/4)%len(gates)]
	}
	return p
}

// archive returns the .tar.gz of one version: <key>/setup.php, hook.php and
// README.md.
func (p *pluginSpec) archive(v versionSpec) []byte {
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
`, strings.ToUpper(p.key), v.num, p.key, strings.ReplaceAll(p.meta.Name, "'", `\'`),
		strings.ReplaceAll(strings.Join(p.meta.Authors, ", "), "'", `\'`), p.meta.License, p.meta.HomepageURL, v.minGLPI, v.maxGLPI)
	files := []struct{ name, body string }{
		{"setup.php", setup},
		{"hook.php", "<?php\nfunction plugin_" + p.key + "_install() { return true; }\nfunction plugin_" + p.key + "_uninstall() { return true; }\n"},
		{"README.md", "# " + p.meta.Name + "\n\n" + p.meta.Descriptions[0].Long + "\n"},
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mtime := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	must(tw.WriteHeader(&tar.Header{Name: p.key + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime}))
	for _, f := range files {
		must(tw.WriteHeader(&tar.Header{Name: p.key + "/" + f.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f.body)), ModTime: mtime}))
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
