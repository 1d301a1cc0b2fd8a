package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/cache"
	"github.com/glpinet/glpinet/glpicrypt"
	ghttp "github.com/glpinet/glpinet/http"
	"github.com/glpinet/glpinet/sqlite"
	_ "github.com/go-sql-driver/mysql"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"glpinet": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the scenarios of testdata/script against a GLPI-like
// installation in $WORK/glpi whose database is a fresh database on this
// machine's MariaDB, with a glpi_configs table shaped like GLPI's.
func TestScripts(t *testing.T) {
	root, err := sql.Open("mysql", "root@tcp(127.0.0.1:3306)/test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	services, validKey := startServices(t)
	unknownKey, _ := glpinet.GenerateKey()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			name := fmt.Sprintf("glpinet_cli_%d", time.Now().UnixNano())
			if _, err := root.Exec("CREATE DATABASE " + name); err != nil {
				return fmt.Errorf("MariaDB at 127.0.0.1:3306 (root, no password) is needed: %w", err)
			}
			env.Defer(func() { root.Exec("DROP DATABASE " + name) })
			if _, err := root.Exec(`CREATE TABLE ` + name + `.glpi_configs (id int unsigned NOT NULL AUTO_INCREMENT,
				context varchar(150) DEFAULT NULL, name varchar(150) DEFAULT NULL, value text,
				PRIMARY KEY (id), UNIQUE KEY unicity (context, name)) DEFAULT CHARSET=utf8mb4`); err != nil {
				return err
			}
			glpi := filepath.Join(env.WorkDir, "glpi")
			for _, d := range []string{"inc", "config", "marketplace", "plugins"} {
				if err := os.MkdirAll(filepath.Join(glpi, d), 0o755); err != nil {
					return err
				}
			}
			os.WriteFile(filepath.Join(glpi, "inc", "define.php"), []byte("<?php\ndefine('GLPI_VERSION', '10.0.16');\n"), 0o644)
			os.WriteFile(filepath.Join(glpi, "config", "config_db.php"), []byte("<?php\nclass DB extends DBmysql {\n   public $dbhost = '127.0.0.1';\n   public $dbuser = 'root';\n   public $dbpassword = '';\n   public $dbdefault = '"+name+"';\n}\n"), 0o600)
			key, _ := glpicrypt.NewKey()
			if err := os.WriteFile(filepath.Join(glpi, "config", "glpicrypt.key"), key[:], 0o600); err != nil {
				return err
			}
			enc, _ := key.Encrypt("gnk_example")
			if _, err := root.Exec("INSERT INTO "+name+".glpi_configs (context, name, value) VALUES ('core', 'glpinetwork_registration_key', ?)", enc); err != nil {
				return err
			}
			env.Setenv("GLPI_ROOT", glpi)
			env.Setenv("SERVICES", services)
			env.Setenv("VALID_KEY", validKey)
			env.Setenv("UNKNOWN_KEY", unknownKey)
			env.Setenv("PREMIUM_KEY", premiumKey)
			env.Setenv("GLPI_DB", name)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"tamper":     cmdTamper,
			"glpiplugin": func(ts *testscript.TestScript, neg bool, args []string) { cmdGLPIPlugin(ts, root, args) },
			"tinyproxy":  cmdTinyproxy,
			"glpiproxy":  func(ts *testscript.TestScript, neg bool, args []string) { cmdGLPIProxy(ts, root, args) },
			// configvalue NAME FILE writes the core glpi_configs value NAME
			// to FILE (nothing when the row is missing).
			"configvalue": func(ts *testscript.TestScript, neg bool, args []string) {
				var v string
				err := root.QueryRow("SELECT value FROM "+ts.Getenv("GLPI_DB")+".glpi_configs WHERE context = 'core' AND name = ?", args[0]).Scan(&v)
				if err != nil && err != sql.ErrNoRows {
					ts.Fatalf("%v", err)
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(v), 0o600))
			},
			// foreignvalue NAME stores a value encrypted with another key.
			"foreignvalue": func(ts *testscript.TestScript, neg bool, args []string) {
				other, _ := glpicrypt.NewKey()
				enc, _ := other.Encrypt("secret")
				if _, err := root.Exec("INSERT INTO "+ts.Getenv("GLPI_DB")+".glpi_configs (context, name, value) VALUES ('core', ?, ?)", args[0], enc); err != nil {
					ts.Fatalf("%v", err)
				}
			},
		},
	})
}

// startServices starts the real GLPI Network API of glpinet on SQLite, with
// one account whose key it returns.
func startServices(t *testing.T) (string, string) {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "test")
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "glpinet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &glpinet.Account{Name: "ACME IT"}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	key, _ := glpinet.GenerateKey()
	if err := db.CreateKey(ctx, &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey(key), Prefix: glpinet.KeyDisplayPrefix(key)}); err != nil {
		t.Fatal(err)
	}
	archiveDir, signingKey := publishPlugins(t, ctx, db)
	cat := cache.NewCatalogue(db, time.Now)
	if err := cat.Load(ctx); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer((&ghttp.Server{Store: db, Validator: cache.NewValidator(db, time.Now, logger), Catalogue: cat, Logger: logger,
		ArchiveDir: archiveDir, SigningKey: signingKey}).Handler())
	t.Cleanup(srv.Close)
	return srv.URL, key
}
