package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strconv"

	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/proxytest"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdTinyproxy is the scenario command "tinyproxy": it starts a real
// tinyproxy for this scenario on a loopback port, with basic authentication
// for user glpi and CONNECT allowed to port 443 only, as many proxies are
// set up (so that plain HTTP must go in absolute form, as GLPI sends it). It sets PROXY_PORT and PROXY_PASSWORD; the log is
// $WORK/tinyproxy/tinyproxy.log. A missing tinyproxy fails the scenario.
func cmdTinyproxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: tinyproxy")
	}
	dir := ts.MkAbs("tinyproxy")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		ts.Fatalf("%v", err)
	}
	pass, err := proxytest.AuthPassword(dir)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	p, err := proxytest.Start(dir, proxytest.Config{User: "glpi", Password: pass, ConnectPorts: []int{443}})
	if err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Defer(func() { p.Close() })
	ts.Logf("%s on %s, password %q", p.Version, p.Addr, pass)
	ts.Setenv("PROXY_PORT", strconv.Itoa(p.Port))
	ts.Setenv("PROXY_PASSWORD", pass)
}

// cmdGLPIProxy is the scenario command "glpiproxy NAME PORT USER PASSWORD":
// it stores GLPI's proxy settings in glpi_configs as GLPI's Setup > General
// > Proxy does, the password encrypted with the tree's glpicrypt.key.
func cmdGLPIProxy(ts *testscript.TestScript, root *sql.DB, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: glpiproxy NAME PORT USER PASSWORD")
	}
	key, err := glpicrypt.LoadKey(filepath.Join(ts.Getenv("GLPI_ROOT"), "config", "glpicrypt.key"))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	enc, err := key.Encrypt(args[3])
	if err != nil {
		ts.Fatalf("%v", err)
	}
	for name, value := range map[string]string{glpihost.ConfigProxyName: args[0], glpihost.ConfigProxyPort: args[1],
		glpihost.ConfigProxyUser: args[2], glpihost.ConfigProxyPassword: enc} {
		if _, err := root.Exec("INSERT INTO "+ts.Getenv("GLPI_DB")+".glpi_configs (context, name, value) VALUES ('core', ?, ?) "+
			"ON DUPLICATE KEY UPDATE value = VALUES(value)", name, value); err != nil {
			ts.Fatalf("%v", err)
		}
	}
}
