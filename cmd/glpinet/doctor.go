package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/glpinet/glpinet/doctor"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
)

// runDoctor checks the installation (key file, database, stored key and
// proxy), then the path to the services server, and reports each verdict
// with a remedy. It exits 1 when a check fails.
func runDoctor(ctx context.Context, args []string, stdout io.Writer) error {
	var k keyFlags
	if _, err := k.parse("doctor", args); err != nil {
		return err
	}
	in, err := k.install()
	if err != nil {
		return err
	}
	server, err := k.serverURL(in)
	if err != nil {
		return err
	}
	target := &doctor.Target{Server: server, GLPIVersion: glpiVersion(in), Timeout: 10 * time.Second}
	local := localChecks(ctx, in, target)
	var remote []doctor.Result
	if !k.offline {
		remote = doctor.Run(ctx, target, doctor.Checks())
	}
	results := append(local, remote...)
	worst := doctor.Worst(results)
	if err := k.out(stdout).Result(map[string]any{"status": worst, "checks": results}, func(w io.Writer) {
		fmt.Fprintf(w, "GLPI %s at %s, services %s\n\n", in.Version, in.Root, cli.Clean(target.Server))
		// Details quote the server (verdicts, owner names, certificate
		// names, error texts): one clean line each.
		for _, r := range results {
			fmt.Fprintf(w, "%s\t%s\t%s\n", strings.ToUpper(string(r.Status)), r.Title, cli.Clean(r.Detail))
			if r.Remedy != "" && (r.Status == doctor.Fail || r.Status == doctor.Warn) {
				fmt.Fprintf(w, "\t\t→ %s\n", cli.Clean(r.Remedy))
			}
		}
	}); err != nil {
		return err
	}
	if worst == doctor.Fail {
		n := 0
		for _, r := range results {
			if r.Status == doctor.Fail {
				n++
			}
		}
		return &cli.ExitError{Msg: cli.Count(n, "check", "checks") + " failed: see the remedies above"}
	}
	return nil
}

// localChecks reads what GLPI keeps on this host, filling target with the
// stored key, uid and proxy.
func localChecks(ctx context.Context, in *glpihost.Install, target *doctor.Target) []doctor.Result {
	var out []doctor.Result
	add := func(id, title string, st doctor.Status, detail, remedy string) {
		out = append(out, doctor.Result{ID: id, Title: title, Status: st, Detail: detail, Remedy: remedy})
	}
	key, keyErr := glpicrypt.LoadKey(in.CryptKeyPath())
	if keyErr != nil {
		add("cryptkey", "Encryption key (glpicrypt.key)", doctor.Fail, keyErr.Error(), remedy(keyErr))
	}
	dbc, err := in.ReadConfigDB()
	var db *glpihost.ConfigDB
	if err == nil {
		db, err = glpihost.OpenConfigDB(ctx, dbc)
	}
	if err != nil {
		add("database", "GLPI database", doctor.Fail, cli.Message(err), "check config/config_db.php and that the database answers")
		return out
	}
	defer db.Close()
	add("database", "GLPI database", doctor.OK, dbc.Database+" answers", "")
	if v, ok, _ := db.Get(ctx, glpihost.ConfigVersion); ok && v != in.Version {
		add("versions", "GLPI files and database", doctor.Warn, fmt.Sprintf("the files say %s, the database %s", in.Version, v),
			"an upgrade did not finish: run php bin/console db:update")
	}
	target.UID, _, _ = db.Get(ctx, glpihost.ConfigNetworkUID)
	if keyErr != nil {
		return out
	}
	bad, _, err := db.CheckEncrypted(ctx, key, glpihost.SecretsFor(in.Version))
	switch {
	case err != nil:
		add("cryptkey", "Encryption key (glpicrypt.key)", doctor.Fail, err.Error(), "")
	case len(bad) > 0:
		var names []string
		for _, b := range bad {
			names = append(names, b.String())
		}
		fix := "restore the key file that encrypted them, or enter those values again in GLPI"
		if in.InterruptedRotation() != nil {
			fix = "a key rotation was interrupted: run 'glpinet cryptkey rotate' to finish it"
		}
		add("cryptkey", "Encryption key (glpicrypt.key)", doctor.Fail, "made with another key: "+strings.Join(names, ", "), fix)
	default:
		add("cryptkey", "Encryption key (glpicrypt.key)", doctor.OK, "32 bytes; every encrypted value decrypts", "")
	}
	if enc, _, _ := db.Get(ctx, glpihost.ConfigRegistrationKey); enc != "" {
		target.Key, _ = key.Decrypt(enc)
	}
	proxy, err := db.Proxy(ctx, key)
	if err != nil {
		add("proxy-settings", "GLPI's proxy settings", doctor.Fail, cli.Message(err), "enter the proxy password again in Setup > General > Proxy")
	}
	target.Proxy = proxy
	return out
}
