package main

import (
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
)

// runPlugins is "glpinet plugins": the marketplace as GLPI sees it, and
// verified installs into GLPI's marketplace/ directory.
func runPlugins(ctx context.Context, args []string, stdout io.Writer) error {
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
		return pluginsDownload(ctx, args[1:], stdout)
	case "update":
		return pluginsUpdate(ctx, args[1:], stdout)
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
	fs.StringVar(&p.server, "server", "", "the services server (default: GLPI_NETWORK_SERVICES of the installation)")
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
	// quiet: no progress bar (JSON output), whatever the terminal.
	quiet bool
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
	m := &market{in: in, db: db, server: p.serverURL(in), quiet: p.json}
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
	m.glpi = &client.GLPI{BaseURL: m.server, Key: key, UID: uid, Version: version, InstallMode: "TARBALL", Lang: "en", HTTP: hc}
	m.hasKey = key != ""
	return m, nil
}

// glpiHTTPClient is an HTTP client like GLPI's Guzzle client: 5 s to
// connect, no total timeout (archives may be large), no automatic
// decompression, and GLPI's proxy settings (proxy_name, proxy_port,
// proxy_user, encrypted proxy_passwd) when set, the environment's proxy
// otherwise.
func glpiHTTPClient(ctx context.Context, in *glpihost.Install, db *glpihost.ConfigDB) (*http.Client, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = 2 * time.Minute
	if name, _, err := db.Get(ctx, glpihost.ConfigProxyName); err != nil {
		return nil, err
	} else if name != "" {
		// The password is only needed, and the key only read, when a
		// proxy is set.
		key, err := glpicrypt.LoadKey(in.CryptKeyPath())
		if err != nil {
			return nil, err
		}
		u, err := db.Proxy(ctx, key)
		if err != nil {
			return nil, err
		}
		t.Proxy = http.ProxyURL(u)
	}
	return &http.Client{Transport: t}, nil
}

// catalogue fetches the whole catalogue as GLPI does (X-Range pages,
// three attempts per page), refusing a truncated one: deciding what to
// install from part of the catalogue could pick an older version.
func (m *market) catalogue(ctx context.Context) ([]client.Plugin, error) {
	plugins, st, err := m.glpi.Plugins(ctx)
	if err == nil && st.Truncated {
		err = errorString("the answers kept failing")
	}
	if err != nil {
		return nil, glpinet.Errorf(glpinet.EUNAVAILABLE, "The marketplace of %s did not answer (%v): run glpinet doctor", m.server, err)
	}
	return plugins, nil
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
