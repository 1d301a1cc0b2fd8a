package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
)

// runPlugins is "glpinet plugins": the marketplace as GLPI sees it, and
// verified installs into GLPI's marketplace/ directory.
// Downloads draw their progress on stderr when it is a terminal.
func runPlugins(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return cli.Usagef("plugins needs a subcommand: search, info, list, download or update")
	}
	switch args[0] {
	case "search":
		return pluginsSearch(ctx, args[1:], stdout)
	case "info":
		return pluginsInfo(ctx, args[1:], stdout)
	case "list":
		return pluginsList(ctx, args[1:], stdout)
	case "download", "install":
		return pluginsDownload(ctx, args[1:], stdout, stderr)
	case "update":
		return pluginsUpdate(ctx, args[1:], stdout, stderr)
	}
	return cli.Usagef("unknown command \"plugins %s\"", args[0])
}

// pluginFlags are the flags of the plugins commands; each command
// registers those it uses (so that -h lists only them).
type pluginFlags struct {
	keyFlags
	tag         string
	version     string
	output      string
	force       bool
	all         bool
	prereleases bool
}

// parse parses a plugins command's flags; extra registers its own.
func (p *pluginFlags) parse(name string, args []string, extra func(fs *flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	p.common.register(fs)
	fs.StringVar(&p.server, "server", "", "the services server `URL` (default: GLPI_NETWORK_SERVICES of the installation)")
	if extra != nil {
		extra(fs)
	}
	return cli.ParseFlags("glpinet", fs, args)
}

func (p *pluginFlags) installFlags(fs *flag.FlagSet) {
	fs.BoolVar(&p.force, "force", false, "replace a plugin directory under version control (.git, .hg, .svn)")
	fs.BoolVar(&p.prereleases, "prereleases", false, "consider alpha, beta and RC versions (GLPI_MARKETPLACE_PRERELEASES)")
}

// market is the marketplace as this GLPI instance talks to it.
type market struct {
	in     *glpihost.Install
	db     *glpihost.ConfigDB
	glpi   *client.GLPI
	server string
	hasKey bool
	// progress is where downloads draw their progress bar, if it is a
	// terminal: the command's standard error, nil with --json (whatever
	// the terminal, so that nothing mixes with the JSON result).
	progress io.Writer
}

func (m *market) Close() { m.db.Close() }

// openMarket opens the installation and prepares a client that sends what
// this instance's GLPI sends: its stored key (decrypted with
// glpicrypt.key), its uid, its version, through its proxy.
func (p *pluginFlags) openMarket(ctx context.Context) (*market, error) {
	in, db, err := p.open(ctx)
	if err != nil {
		return nil, err
	}
	server, err := p.serverURL(in)
	if err != nil {
		db.Close()
		return nil, err
	}
	m := &market{in: in, db: db, server: server}
	// No stored key is fine for free plugins: the server then treats the
	// client as unregistered (client.GLPI sends an empty key header, which
	// the server reads as no key). A stored key that does not decrypt is
	// an error: GLPI itself could not use it.
	var key string
	if enc, _, err := db.Get(ctx, glpihost.ConfigRegistrationKey); err != nil {
		db.Close()
		return nil, err
	} else if enc != "" {
		if key, err = storedKey(ctx, in, db); err != nil {
			db.Close()
			return nil, err
		}
	}
	uid, _, _ := db.Get(ctx, glpihost.ConfigNetworkUID)
	hc, err := glpiHTTPClient(ctx, in, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	version := glpiVersion(in)
	if version == "" {
		version = in.Version
	}
	m.glpi = &client.GLPI{BaseURL: m.server, Key: key, UID: uid, Version: version, InstallMode: "TARBALL", Lang: "en", HTTP: hc, Limits: netLimits}
	m.hasKey = key != ""
	return m, nil
}

// netLimits are the deadlines and size bounds of every request to the
// services server (zero: the client's defaults); tests shorten them.
var netLimits client.Limits

// glpiHTTPClient is an HTTP client like GLPI's Guzzle client: 5 s to
// connect, no automatic decompression, GLPI's proxy settings (proxy_name,
// proxy_port, proxy_user, encrypted proxy_passwd) when set, the
// environment's proxy otherwise; client.GLPI adds the other deadlines
// (no total timeout: archives may be large, but no pause of a minute).
func glpiHTTPClient(ctx context.Context, in *glpihost.Install, db *glpihost.ConfigDB) (*http.Client, error) {
	var proxy *url.URL
	if name, _, err := db.Get(ctx, glpihost.ConfigProxyName); err != nil {
		return nil, err
	} else if name != "" {
		// The password is only needed, and the key only read, when a
		// proxy is set.
		key, err := glpicrypt.LoadKey(in.CryptKeyPath())
		if err != nil {
			return nil, err
		}
		if proxy, err = db.Proxy(ctx, key); err != nil {
			return nil, err
		}
	}
	return client.NewHTTPClient(proxy, netLimits), nil
}

// serverError is a failure to get a usable answer from the services
// server: unreachable, too slow, too large, or an answer glpinet refuses.
// Its remedy is about the network path, not the database.
type serverError struct{ err *glpinet.Error }

func (e *serverError) Error() string { return e.err.Error() }
func (e *serverError) Unwrap() error { return e.err }

// unavailable returns a *serverError saying that server did not give a
// usable answer, and why.
func unavailable(server, what string, cause error) error {
	return &serverError{glpinet.Errorf(glpinet.EUNAVAILABLE, "%s %s: %v", server, what, cause)}
}

// catalogue fetches the whole catalogue as GLPI does (X-Range pages,
// three attempts per page), refusing a truncated one: deciding what to
// install from part of the catalogue could pick an older version.
func (m *market) catalogue(ctx context.Context) ([]client.Plugin, error) {
	plugins, st, err := m.glpi.Plugins(ctx)
	if err == nil && st.Truncated {
		err = fmt.Errorf("three attempts at one page failed, the last with: %w", st.LastError)
	}
	if err != nil {
		return nil, unavailable(m.server, "did not send its catalogue", err)
	}
	return usable(plugins), nil
}

// usable keeps the catalogue entries whose plugin key and version numbers
// are of the strict forms glpinet puts into paths, URLs and messages
// (client.ValidPluginKey, client.ValidVersion); an entry that is not
// could not be installed by GLPI either.
func usable(plugins []client.Plugin) []client.Plugin {
	out := plugins[:0]
	for _, p := range plugins {
		if !client.ValidPluginKey(p.Key) {
			continue
		}
		vs := p.Versions[:0]
		for _, v := range p.Versions {
			if client.ValidVersion(v.Num) {
				vs = append(vs, v)
			}
		}
		p.Versions = vs
		out = append(out, p)
	}
	return out
}

// plugin fetches the catalogue and returns the entry of key.
func (m *market) plugin(ctx context.Context, key string) (*client.Plugin, error) {
	plugins, err := m.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	return m.find(plugins, key)
}

// find returns the catalogue entry of key.
func (m *market) find(plugins []client.Plugin, key string) (*client.Plugin, error) {
	for i := range plugins {
		if plugins[i].Key == key {
			return &plugins[i], nil
		}
	}
	return nil, &cli.ExitError{Msg: "the marketplace of " + m.server + " has no plugin \"" + key + "\": try glpinet plugins search"}
}

type errorString string

func (e errorString) Error() string { return string(e) }
