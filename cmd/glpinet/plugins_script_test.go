package main

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/signing"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/rogpeppe/go-internal/testscript"
)

// The marketplace the scenarios see, set by publishPlugins.
var (
	// premiumKey is a registration key whose account has the standard
	// offer ($PREMIUM_KEY in scenarios).
	premiumKey string
	// archivePaths maps "key version" to the stored archive file, for the
	// tamper command.
	archivePaths = map[string]string{}
)

// publishPlugins publishes the scenarios' catalogue, signed, into a new
// archive directory, and makes an account with the standard offer:
//   - hello 1.0.0 and 1.1.0 (free, GLPI 10.0) and 1.2.0-rc1 (a prerelease);
//   - premium 2.0.0, which needs the standard offer;
//   - future 3.0.0, for GLPI 11 only (nothing for GLPI 10.0.16).
func publishPlugins(t *testing.T, ctx context.Context, db *sqlite.DB) (archiveDir string, pub ed25519.PublicKey) {
	t.Helper()
	archiveDir = filepath.Join(t.TempDir(), "archives")
	signer, err := signing.LoadOrCreate(filepath.Join(t.TempDir(), "signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	p := &publish.Publisher{Store: db, ArchiveDir: archiveDir, Limits: pluginarchive.DefaultLimits(), SigningKey: signer}
	hello := glpinet.PublishOptions{Meta: glpinet.PluginMeta{Name: "Hello World", License: "GPLv3+", Authors: []string{"ACME IT"},
		HomepageURL: "https://example.com/hello", Tags: []string{"demo"},
		Descriptions: []glpinet.Description{{Lang: "en", Short: "Says hello to your technicians.", Long: "A friendly greeting on every ticket."}}}}
	for _, pl := range []struct {
		p    testkit.Plugin
		opts glpinet.PublishOptions
	}{
		{testkit.Plugin{Key: "hello", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "10.1.0"}, hello},
		{testkit.Plugin{Key: "hello", Version: "1.1.0", MinGLPI: "10.0.0", MaxGLPI: "10.1.0", Files: map[string]string{"NEW.md": "new in 1.1.0\n"}}, hello},
		{testkit.Plugin{Key: "hello", Version: "1.2.0-rc1", MinGLPI: "10.0.0", MaxGLPI: "10.1.0"}, hello},
		{testkit.Plugin{Key: "premium", Version: "2.0.0", MinGLPI: "10.0.0", MaxGLPI: "11.0.0", Format: "zip"},
			glpinet.PublishOptions{RequiredOffers: []string{"standard"}, Meta: glpinet.PluginMeta{Name: "Premium reports",
				Descriptions: []glpinet.Description{{Lang: "en", Short: "Reports for paying customers."}}}}},
		{testkit.Plugin{Key: "future", Version: "3.0.0", MinGLPI: "11.0.0", MaxGLPI: "12.0.0"}, glpinet.PublishOptions{}},
	} {
		res, err := p.Publish(ctx, testkit.Archive(t, t.TempDir(), pl.p), pl.opts)
		if err != nil {
			t.Fatalf("publish %s %s: %v", pl.p.Key, pl.p.Version, err)
		}
		archivePaths[pl.p.Key+" "+pl.p.Version] = filepath.Join(archiveDir, filepath.FromSlash(res.Version.Archive.Path))
	}

	a := &glpinet.Account{Name: "Premium Corp"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	end := time.Now().AddDate(1, 0, 0)
	if err := db.CreateSubscription(ctx, &glpinet.Subscription{AccountID: a.ID, OfferRef: "standard", Begin: time.Now().Add(-time.Hour), End: &end}); err != nil {
		t.Fatal(err)
	}
	premiumKey, _ = glpinet.GenerateKey()
	if err := db.CreateKey(ctx, &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(premiumKey), Prefix: glpinet.KeyDisplayPrefix(premiumKey)}); err != nil {
		t.Fatal(err)
	}
	return archiveDir, signer.Public().(ed25519.PublicKey)
}

// cmdTamper is "tamper KEY VERSION": the server's stored archive gets one
// byte changed (same size, another SHA-256), as if its storage had been
// altered; the original comes back when the scenario ends.
func cmdTamper(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: tamper KEY VERSION")
	}
	path := archivePaths[args[0]+" "+args[1]]
	orig, err := os.ReadFile(path)
	if err != nil {
		ts.Fatalf("tamper: %v", err)
	}
	bad := append([]byte(nil), orig...)
	bad[len(bad)/2] ^= 0xff
	ts.Check(os.WriteFile(path, bad, 0o640))
	ts.Defer(func() { os.WriteFile(path, orig, 0o640) })
}

// cmdGLPIPlugin is "glpiplugin DIRECTORY STATE VERSION": a row of GLPI's
// glpi_plugins table (created like GLPI's when missing).
func cmdGLPIPlugin(ts *testscript.TestScript, root *sql.DB, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: glpiplugin DIRECTORY STATE VERSION")
	}
	db := ts.Getenv("GLPI_DB")
	_, err := root.Exec(`CREATE TABLE IF NOT EXISTS ` + db + `.glpi_plugins (id int unsigned NOT NULL AUTO_INCREMENT,
		directory varchar(255) NOT NULL DEFAULT '', name varchar(255) NOT NULL DEFAULT '', version varchar(255) NOT NULL DEFAULT '',
		state int NOT NULL DEFAULT 0, author varchar(255) DEFAULT NULL, homepage varchar(255) DEFAULT NULL, license varchar(255) DEFAULT NULL,
		PRIMARY KEY (id), UNIQUE KEY unicity (directory), KEY state (state)) DEFAULT CHARSET=utf8mb4`)
	ts.Check(err)
	_, err = root.Exec("INSERT INTO "+db+".glpi_plugins (directory, name, version, state) VALUES (?, ?, ?, ?)", args[0], args[0], args[2], args[1])
	ts.Check(err)
}
