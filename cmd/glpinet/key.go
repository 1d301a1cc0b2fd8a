package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
)

// officialServices is GLPI's default GLPI_NETWORK_SERVICES.
const officialServices = "https://services.glpi-network.com"

// stdin is where "key set -" and "key check -" read the key; tests replace it.
var stdin io.Reader = os.Stdin

func runKey(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return cli.Usagef("key needs a subcommand: set, show, check or remove")
	}
	switch args[0] {
	case "set":
		return keySet(ctx, args[1:], stdout)
	case "show":
		return keyShow(ctx, args[1:], stdout)
	case "check":
		return keyCheck(ctx, args[1:], stdout)
	case "remove":
		return keyRemove(ctx, args[1:], stdout)
	}
	return cli.Usagef("unknown command \"key %s\"", args[0])
}

// keyFlags are the flags of the key commands.
type keyFlags struct {
	common
	server  string
	offline bool
}

func (k *keyFlags) register(fs *flag.FlagSet) {
	k.common.register(fs)
	fs.StringVar(&k.server, "server", "", "the services server `URL` (default: GLPI_NETWORK_SERVICES of the installation)")
	fs.BoolVar(&k.offline, "offline", false, "do not ask the server")
}

// parse parses a key command's flags and returns its positional arguments.
func (k *keyFlags) parse(name string, args []string) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	k.register(fs)
	return cli.ParseFlags("glpinet", fs, args)
}

// open finds the installation and connects to its glpi_configs.
func (k *keyFlags) open(ctx context.Context) (*glpihost.Install, *glpihost.ConfigDB, error) {
	in, err := k.install()
	if err != nil {
		return nil, nil, err
	}
	db, err := openConfigs(ctx, in)
	return in, db, err
}

// glpiVersion is the installation's version as GLPI sends it.
func glpiVersion(in *glpihost.Install) string {
	return glpinet.ParseUserAgent("GLPI/" + in.Version).GLPIVersion
}

// readKey returns the KEY argument, or the first line of standard input for
// "-" (keeping the key out of the shell history).
func readKey(pos []string, cmd string) (string, error) {
	if len(pos) != 1 {
		return "", cli.Usagef("%s takes one KEY, or - to read it from standard input", cmd)
	}
	if pos[0] != "-" {
		return glpinet.NormalizeKey(pos[0]), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", cli.Usagef("no key on standard input")
	}
	return glpinet.NormalizeKey(line), nil
}

// checkFormat explains, offline, what is wrong with a key.
func checkFormat(key string) error {
	if !strings.HasPrefix(key, glpinet.KeyPrefix) {
		return &cli.ExitError{Msg: glpinet.KeyWrongPrefix.Description() + " Copy the key from your services portal."}
	}
	if p := glpinet.CheckKey(key); p != glpinet.KeyOK {
		return &cli.ExitError{Msg: p.Description()}
	}
	return nil
}

// serverURL returns the services URL GLPI uses: --server, the environment,
// the installation's local_define.php, or GLPI's default. A
// GLPI_NETWORK_SERVICES whose value glpinet cannot be sure PHP uses (inside
// a condition, after code it cannot follow…) is an error: guessing would
// send the key, or check the verdict of, a server GLPI does not use.
func (k *keyFlags) serverURL(in *glpihost.Install) (string, error) {
	if k.server != "" {
		return k.server, nil
	}
	if v := os.Getenv("GLPI_NETWORK_SERVICES"); v != "" {
		return v, nil
	}
	if in != nil {
		v, set, err := in.LocalDefine("GLPI_NETWORK_SERVICES")
		if err != nil {
			return "", err
		}
		if set && v != "" {
			return v, nil
		}
	}
	return officialServices, nil
}

// ask asks the server GLPI uses about key, as GLPI would: through its
// proxy when db gives one, with its uid and version.
func (k *keyFlags) ask(ctx context.Context, in *glpihost.Install, db *glpihost.ConfigDB, key, uid, version string) (*validation, error) {
	hc, err := keyHTTPClient(ctx, in, db)
	if err != nil {
		return nil, err
	}
	server, err := k.serverURL(in)
	if err != nil {
		return nil, err
	}
	return validate(ctx, hc, server, key, uid, version)
}

// validation is what the server says of a key.
type validation struct {
	Server  string `json:"server"`
	Valid   bool   `json:"is_valid"`
	Running bool   `json:"is_running"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Owner   string `json:"owner,omitempty"`
	Offer   string `json:"offer,omitempty"`
	Until   string `json:"until,omitempty"`
}

// validate asks the server about key, with GLPI's headers, through hc
// (GLPI's proxy: see keyHTTPClient).
func validate(ctx context.Context, hc *http.Client, server, key, uid, version string) (*validation, error) {
	g := &client.GLPI{BaseURL: server, Key: key, UID: uid, Version: version, InstallMode: "TARBALL", Lang: "en", HTTP: hc, Limits: netLimits}
	if g.Version == "" {
		g.Version = "10.0.0"
	}
	info, _, err := g.RegistrationInfo(ctx)
	if err != nil {
		return nil, unavailable(server, "did not answer with a verdict", err)
	}
	v := &validation{Server: server, Valid: info.IsValid, Code: info.Code, Message: info.ValidationMessage}
	if info.Owner != nil {
		v.Owner = info.Owner.Name
	}
	if s := info.Subscription; s != nil {
		v.Running, v.Offer = s.IsRunning, s.Title
		if s.EndDate != nil {
			v.Until = *s.EndDate
		}
	}
	return v, nil
}

// keyHTTPClient is the client the key commands reach the server with:
// GLPI's, through GLPI's proxy settings when db is there (GLPI validates
// keys through its proxy), the environment's proxy without an
// installation ("key check" may run anywhere).
func keyHTTPClient(ctx context.Context, in *glpihost.Install, db *glpihost.ConfigDB) (*http.Client, error) {
	if db == nil {
		return client.NewHTTPClient(nil, netLimits), nil
	}
	return glpiHTTPClient(ctx, in, db)
}

// print shows the verdict; every field but the server URL is the
// server's text, cleaned to one line.
func (v *validation) print(w io.Writer) {
	fmt.Fprintf(w, "server:\t%s\nverdict:\t%s\nmessage:\t%s\n", cli.Clean(v.Server), cli.Clean(v.Code), cli.Clean(v.Message))
	if v.Owner != "" {
		fmt.Fprintf(w, "owner:\t%s\n", cli.Clean(v.Owner))
	}
	if v.Offer != "" {
		until := "no end date"
		if v.Until != "" {
			until = "until " + cli.Clean(v.Until)
		}
		fmt.Fprintf(w, "offer:\t%s, %s\n", cli.Clean(v.Offer), until)
	}
}

func (v *validation) usable() bool { return v.Valid && v.Running }

// mask shows a key's display prefix only.
func mask(key string) string {
	if key == "" {
		return ""
	}
	return glpinet.KeyDisplayPrefix(key) + "…"
}

func keyCheck(ctx context.Context, args []string, stdout io.Writer) error {
	var k keyFlags
	pos, err := k.parse("key check", args)
	if err != nil {
		return err
	}
	key, err := readKey(pos, "key check")
	if err != nil {
		return err
	}
	if err := checkFormat(key); err != nil {
		return err
	}
	if k.offline {
		return k.out(stdout).Result(map[string]any{"key": mask(key), "format": "ok"}, func(w io.Writer) {
			fmt.Fprintf(w, "%s: well formed (checksum correct).\n", mask(key))
		})
	}
	// The installation, when there is one, tells the server, the version
	// and the proxy; without one the key is checked from anywhere.
	in, _ := k.install()
	version := ""
	var db *glpihost.ConfigDB
	if in != nil {
		version = glpiVersion(in)
		if db, err = openConfigs(ctx, in); err != nil {
			return err
		}
		defer db.Close()
	}
	v, err := k.ask(ctx, in, db, key, "", version)
	if err != nil {
		return err
	}
	if err := k.out(stdout).Result(v, v.print); err != nil {
		return err
	}
	if !v.usable() {
		return &cli.ExitError{Msg: "the key is not usable: " + v.Message}
	}
	return nil
}

// openConfigs opens the installation's glpi_configs.
func openConfigs(ctx context.Context, in *glpihost.Install) (*glpihost.ConfigDB, error) {
	dbc, err := in.ReadConfigDB()
	if err != nil {
		return nil, err
	}
	return glpihost.OpenConfigDB(ctx, dbc)
}

// keySet stores a key the way GLPI does: checked offline and online first,
// encrypted with glpicrypt.key, in glpi_configs, in one transaction.
func keySet(ctx context.Context, args []string, stdout io.Writer) error {
	var k keyFlags
	pos, err := k.parse("key set", args)
	if err != nil {
		return err
	}
	key, err := readKey(pos, "key set")
	if err != nil {
		return err
	}
	if err := checkFormat(key); err != nil {
		return err
	}
	in, err := k.install()
	if err != nil {
		return err
	}
	// Refuse before anything else when GLPI could not store the key: with a
	// missing or bad key file GLPI silently saves an empty value; while a
	// rotation is pending the value would be made with the old key.
	if err := in.CheckNoPendingRotation(); err != nil {
		return err
	}
	if _, err := loadCryptKey(ctx, in, nil, glpihost.SecretsFor(in.Version)); err != nil {
		return err
	}
	db, err := openConfigs(ctx, in)
	if err != nil {
		return err
	}
	defer db.Close()
	uid, _, err := db.Get(ctx, glpihost.ConfigNetworkUID)
	if err != nil {
		return err
	}
	// An instance without a uid gets one now, as GLPI would make at its
	// first call to the services, so that the server sees the uid the
	// instance keeps: it is stored with the key, and only then.
	newUID, err := glpihost.NewNetworkUID()
	if err != nil {
		return err
	}
	if uid == "" || uid == "0" {
		uid = newUID
	}
	var v *validation
	if !k.offline {
		if v, err = k.ask(ctx, in, db, key, uid, glpiVersion(in)); err != nil {
			return err
		}
		if !v.Valid {
			return &cli.ExitError{Msg: "the server refuses this key (" + v.Code + "): " + v.Message + " Nothing was stored."}
		}
	}
	uid, created, err := db.SetRegistrationKey(ctx, in, key, newUID)
	if err != nil {
		return err
	}
	res := map[string]any{"stored": mask(key), "validation": v, "uid": uid, "uid_created": created}
	return k.out(stdout).Result(res, func(w io.Writer) {
		fmt.Fprintf(w, "Stored %s in GLPI, encrypted with %s.\n", mask(key), in.CryptKeyPath())
		if created {
			fmt.Fprintf(w, "GLPI had no network uid: created glpi_network_uuid %s, which the services portal shows for this instance.\n", uid)
		}
		if v != nil {
			v.print(w)
		}
		fmt.Fprintln(w, "GLPI caches registration answers for a day: open Setup > General > GLPI Network to refresh it now.")
	})
}

// storedKey reads and decrypts the key GLPI has stored.
func storedKey(ctx context.Context, in *glpihost.Install, db *glpihost.ConfigDB) (string, error) {
	crypt, err := loadCryptKey(ctx, in, db, glpihost.SecretsFor(in.Version))
	if err != nil {
		return "", err
	}
	enc, _, err := db.Get(ctx, glpihost.ConfigRegistrationKey)
	if err != nil {
		return "", err
	}
	key, err := crypt.Decrypt(enc)
	if errors.Is(err, glpicrypt.ErrDecrypt) {
		if perr := in.InterruptedRotation(); perr != nil {
			return "", perr
		}
		return "", glpinet.Errorf(glpinet.EINVALID, "The stored registration key does not decrypt with %s: it was saved with another key file; set the key again with glpinet key set", in.CryptKeyPath())
	}
	return key, err
}

func keyShow(ctx context.Context, args []string, stdout io.Writer) error {
	var k keyFlags
	if _, err := k.parse("key show", args); err != nil {
		return err
	}
	in, db, err := k.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := storedKey(ctx, in, db)
	if err != nil {
		return err
	}
	if key == "" {
		return &cli.ExitError{Msg: "no registration key is stored: glpinet key set KEY"}
	}
	res := map[string]any{"key": mask(key)}
	var v *validation
	if !k.offline {
		uid, _, _ := db.Get(ctx, glpihost.ConfigNetworkUID)
		if v, err = k.ask(ctx, in, db, key, uid, glpiVersion(in)); err != nil {
			return err
		}
		res["validation"] = v
	}
	return k.out(stdout).Result(res, func(w io.Writer) {
		fmt.Fprintf(w, "key:\t%s\n", mask(key))
		if v != nil {
			v.print(w)
		}
	})
}

func keyRemove(ctx context.Context, args []string, stdout io.Writer) error {
	var k keyFlags
	if _, err := k.parse("key remove", args); err != nil {
		return err
	}
	_, db, err := k.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	// GLPI's "Remove registration key" button stores an empty value.
	if err := db.Set(ctx, glpihost.ConfigRegistrationKey, ""); err != nil {
		return err
	}
	return k.out(stdout).Result(map[string]any{"removed": true}, func(w io.Writer) {
		fmt.Fprintln(w, "The registration key is removed: GLPI no longer calls the services.")
	})
}
