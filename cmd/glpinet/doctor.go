package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/doctor"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
)

// runDoctor checks the installation (database, key file, encrypted
// values, stored key and proxy), then the path to the services server,
// and reports each verdict with a remedy. A check whose prerequisite
// failed is skipped and names that failure. It exits 1 when a check fails.
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
	h := &hostChecks{in: in, secrets: glpihost.SecretsFor(in.Version)}
	defer h.close()
	checks := h.checks()
	if !k.offline {
		checks = append(checks, doctor.Checks()...)
	}
	results := doctor.Run(ctx, target, checks)
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

// hostChecks are the checks of what GLPI keeps on this host. They run
// before the network checks, through doctor.Run, so that a failure here
// skips what depends on it: without the database, GLPI's proxy settings
// and stored key are unknown; without glpicrypt.key, nothing decrypts.
// They fill the target with the stored key, uid and proxy.
type hostChecks struct {
	in      *glpihost.Install
	secrets glpihost.Secrets
	db      *glpihost.ConfigDB // set once the database answers
	key     glpicrypt.Key      // set once glpicrypt.key is read
}

func (h *hostChecks) close() {
	if h.db != nil {
		h.db.Close()
	}
}

func (h *hostChecks) checks() []doctor.Check {
	database := doctor.Need{ID: doctor.DatabaseCheck}
	return []doctor.Check{
		{ID: doctor.DatabaseCheck, Title: "GLPI database", Run: h.checkDatabase},
		{ID: "versions", Title: "GLPI files and database", Needs: []doctor.Need{database}, Run: h.checkVersions},
		{ID: doctor.CryptKeyCheck, Title: "Encryption key (glpicrypt.key)", Run: h.checkCryptKey},
		{ID: "encrypted-values", Title: "Encrypted values", Needs: []doctor.Need{
			{ID: doctor.DatabaseCheck, Why: "they are read from it"},
			{ID: doctor.CryptKeyCheck, Why: "they are decrypted with it"}}, Run: h.checkValues},
		{ID: doctor.StoredKeyCheck, Title: "Stored registration key", Needs: []doctor.Need{
			{ID: doctor.DatabaseCheck, Why: "the key is read from it"},
			{ID: doctor.CryptKeyCheck, Why: "the key is decrypted with it"}}, Run: h.checkStoredKey},
		{ID: doctor.ProxySettingsCheck, Title: "GLPI's proxy settings", Needs: []doctor.Need{
			{ID: doctor.DatabaseCheck, Why: "they are read from it"},
			{ID: doctor.CryptKeyCheck, Why: "the proxy password is decrypted with it"}}, Run: h.checkProxySettings},
	}
}

func (h *hostChecks) checkDatabase(ctx context.Context, t *doctor.Target, _ *doctor.Env) doctor.Result {
	dbc, err := h.in.ReadConfigDB()
	if err == nil {
		h.db, err = glpihost.OpenConfigDB(ctx, dbc)
	}
	if err != nil {
		return doctor.Result{Status: doctor.Fail, Detail: cli.Message(err), Remedy: "check config/config_db.php and that the database answers"}
	}
	return doctor.Result{Status: doctor.OK, Detail: dbc.Database + " answers"}
}

func (h *hostChecks) checkVersions(ctx context.Context, t *doctor.Target, _ *doctor.Env) doctor.Result {
	v, ok, err := h.db.Get(ctx, glpihost.ConfigVersion)
	switch {
	case err != nil:
		return doctor.Result{Status: doctor.Fail, Detail: cli.Message(err), Remedy: "check that the database answers"}
	case !ok || v == "":
		return doctor.Result{Status: doctor.Skip, Detail: "the database records no version"}
	case v != h.in.Version:
		return doctor.Result{Status: doctor.Warn, Detail: fmt.Sprintf("the files say %s, the database %s", h.in.Version, v),
			Remedy: "an upgrade did not finish: run php bin/console db:update"}
	}
	return doctor.Result{Status: doctor.OK, Detail: "both say " + v}
}

func (h *hostChecks) checkCryptKey(ctx context.Context, t *doctor.Target, _ *doctor.Env) doctor.Result {
	key, err := glpicrypt.LoadKey(h.in.CryptKeyPath())
	if err != nil {
		// Whether the database holds encrypted values decides between
		// restoring the key and creating the first one.
		err = glpihost.ExplainMissingKey(ctx, h.db, h.secrets, err)
		return doctor.Result{Status: doctor.Fail, Detail: err.Error(), Remedy: remedy(err)}
	}
	h.key = key
	return doctor.Result{Status: doctor.OK, Detail: fmt.Sprintf("%d bytes", glpicrypt.KeySize)}
}

func (h *hostChecks) checkValues(ctx context.Context, t *doctor.Target, _ *doctor.Env) doctor.Result {
	bad, checked, err := h.db.CheckEncrypted(ctx, h.key, h.secrets)
	switch {
	case err != nil:
		return doctor.Result{Status: doctor.Fail, Detail: err.Error(), Remedy: "check that the database answers"}
	case len(bad) > 0:
		var names []string
		for _, b := range bad {
			names = append(names, b.String())
		}
		fix := "restore the key file that encrypted them, or enter those values again in GLPI"
		if h.in.InterruptedRotation() != nil {
			fix = "a key rotation was interrupted: run 'glpinet cryptkey rotate' to finish it"
		}
		return doctor.Result{Status: doctor.Fail, Detail: "made with another key: " + strings.Join(names, ", "), Remedy: fix}
	}
	return doctor.Result{Status: doctor.OK, Detail: fmt.Sprintf("every one decrypts with glpicrypt.key (%d checked)", checked)}
}

func (h *hostChecks) checkStoredKey(ctx context.Context, t *doctor.Target, _ *doctor.Env) doctor.Result {
	t.UID, _, _ = h.db.Get(ctx, glpihost.ConfigNetworkUID)
	enc, _, err := h.db.Get(ctx, glpihost.ConfigRegistrationKey)
	if err != nil {
		return doctor.Result{Status: doctor.Fail, Detail: cli.Message(err), Remedy: "check that the database answers"}
	}
	key, err := h.key.Decrypt(enc)
	if err != nil {
		r := doctor.Result{Status: doctor.Fail, Detail: "it does not decrypt with glpicrypt.key: GLPI sends no key", Remedy: "set the key again with glpinet key set KEY"}
		if perr := h.in.InterruptedRotation(); perr != nil {
			r.Remedy = remedy(perr)
		}
		return r
	}
	t.Key = key
	if key == "" {
		// The key-format check fails next, with the remedy.
		return doctor.Result{Status: doctor.OK, Detail: "none stored"}
	}
	// The display prefix only when it is a small part of the key: the
	// detail must not give away a short or malformed key whole.
	if k := glpinet.NormalizeKey(key); len(k) >= 2*len(glpinet.KeyDisplayPrefix(k)) {
		return doctor.Result{Status: doctor.OK, Detail: mask(k) + " decrypts"}
	}
	return doctor.Result{Status: doctor.OK, Detail: fmt.Sprintf("a key of %d characters decrypts", len(key))}
}

func (h *hostChecks) checkProxySettings(ctx context.Context, t *doctor.Target, _ *doctor.Env) doctor.Result {
	proxy, err := h.db.Proxy(ctx, h.key)
	if err != nil {
		return doctor.Result{Status: doctor.Fail, Detail: cli.Message(err), Remedy: "enter the proxy password again in Setup > General > Proxy"}
	}
	t.Proxy = proxy
	if proxy == nil {
		return doctor.Result{Status: doctor.OK, Detail: "no proxy"}
	}
	d := "proxy " + proxy.Host
	if proxy.User != nil {
		d += " as " + proxy.User.Username()
	}
	return doctor.Result{Status: doctor.OK, Detail: d}
}
