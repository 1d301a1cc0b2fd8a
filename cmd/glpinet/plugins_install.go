package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/glpihost"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/phpver"
	"github.com/glpinet/glpinet/pluginarchive"
)

// installResult is what download and update report for one plugin.
type installResult struct {
	Key      string `json:"key"`
	Version  string `json:"version,omitempty"`
	Status   string `json:"status"` // installed, updated, reinstalled, saved, up-to-date, failed
	Previous string `json:"previous,omitempty"`
	Path     string `json:"path,omitempty"`
	Size     int64  `json:"size,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	// Signed reports that the archive's Ed25519 signature was verified.
	Signed bool `json:"signature_verified"`
	// Verified lists what was checked against the catalogue: "size",
	// "sha256", "signature"; empty when nothing could be.
	Verified []string `json:"verified"`
	// SigningKey is the id of the key the signature verified with.
	SigningKey string `json:"signing_key,omitempty"`
	// Verification says the same in a sentence, shown in text output.
	Verification string   `json:"verification"`
	Notified     int      `json:"download_notice_status,omitempty"`
	Warnings     []string `json:"warnings,omitempty"`
	NextStep     string   `json:"next_step,omitempty"`
	Error        string   `json:"error,omitempty"`
}

// pluginsDownload fetches, verifies and installs one plugin into GLPI's
// marketplace/ directory, or with --output only saves the verified
// archive (for a host without access to the services).
func pluginsDownload(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var p pluginFlags
	pos, err := p.parse("plugins download", args, func(fs *flag.FlagSet) {
		p.installFlags(fs)
		fs.StringVar(&p.version, "version", "", "install this version rather than the newest compatible one")
		fs.StringVar(&p.output, "output", "", "save the verified archive to this file instead of installing it")
	})
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("plugins download takes one plugin KEY")
	}
	m, err := p.openMarket(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	if !p.json {
		m.progress = stderr
	}
	// What a killed install left goes first, even when nothing is
	// installed now.
	if _, err := m.in.CleanPluginLeftovers(); err != nil {
		return err
	}
	pl, err := m.plugin(ctx, pos[0])
	if err != nil {
		return err
	}
	v, err := pick(pl, m.glpi.Version, p.version, p.prereleases, m.hasKey)
	if err != nil {
		return err
	}
	res, err := m.install(ctx, pl, v, p.force, p.output)
	if err != nil {
		return err
	}
	return p.out(stdout).Result(res, res.print)
}

// pluginsUpdate updates installed plugins (KEY... or --all) that have a
// newer compatible version in the marketplace. It goes on after a
// failure and exits 1 at the end if any plugin failed.
func pluginsUpdate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var p pluginFlags
	pos, err := p.parse("plugins update", args, func(fs *flag.FlagSet) {
		p.installFlags(fs)
		fs.BoolVar(&p.all, "all", false, "update every installed plugin that has a newer version")
	})
	if err != nil {
		return err
	}
	if p.all == (len(pos) > 0) {
		return cli.Usagef("plugins update takes plugin KEYs, or --all")
	}
	m, err := p.openMarket(ctx)
	if err != nil {
		return err
	}
	defer m.Close()
	if !p.json {
		m.progress = stderr
	}
	// What a killed install left goes first, even when nothing is
	// installed now.
	if _, err := m.in.CleanPluginLeftovers(); err != nil {
		return err
	}
	byKey, all := installedPlugins(m.in)
	keys := pos
	if p.all {
		keys = nil
		for _, i := range all {
			if !i.Shadowed {
				keys = append(keys, i.Key)
			}
		}
	}
	for _, k := range keys {
		if byKey[k] == nil {
			return &cli.ExitError{Msg: k + " is not installed (neither in marketplace/ nor in plugins/): use glpinet plugins download " + k}
		}
	}
	plugins, err := m.catalogue(ctx)
	if err != nil {
		return err
	}
	results := []*installResult{}
	failed := 0
	for _, k := range keys {
		r := m.update(ctx, plugins, byKey[k], p)
		if r.Status == "failed" {
			failed++
		}
		results = append(results, r)
	}
	if err := p.out(stdout).Result(map[string]any{"results": results}, func(w io.Writer) {
		if len(results) == 0 {
			fmt.Fprintln(w, "No plugin is installed.")
		}
		for _, r := range results {
			r.print(w)
		}
	}); err != nil {
		return err
	}
	if failed > 0 {
		return &cli.ExitError{Msg: fmt.Sprintf("%d of %d plugins could not be updated: see above", failed, len(results))}
	}
	return nil
}

// update updates one installed plugin when the marketplace has a newer
// compatible version; every outcome is a result, failures included.
func (m *market) update(ctx context.Context, plugins []client.Plugin, inst *installed, p pluginFlags) *installResult {
	r := &installResult{Key: inst.Key, Previous: inst.Version}
	fail := func(err error) *installResult {
		r.Status, r.Error = "failed", cli.Message(err)
		return r
	}
	var pl *client.Plugin
	for i := range plugins {
		if plugins[i].Key == inst.Key {
			pl = &plugins[i]
		}
	}
	if pl == nil {
		r.Status = "not in marketplace"
		return r
	}
	v, ok := newest(pl, m.glpi.Version, p.prereleases)
	if !ok || inst.Version != "" && phpver.Compare(v.Num, inst.Version) <= 0 {
		r.Status = "up to date"
		return r
	}
	v, err := pick(pl, m.glpi.Version, v.Num, p.prereleases, m.hasKey)
	if err != nil {
		return fail(err)
	}
	res, err := m.install(ctx, pl, v, p.force, "")
	if err != nil {
		return fail(err)
	}
	return res
}

// install downloads version v of plugin pl, verifies it, and installs it
// into marketplace/ (or saves it to output). Nothing on disk changes
// unless every check passed.
func (m *market) install(ctx context.Context, pl *client.Plugin, v client.Version, force bool, output string) (*installResult, error) {
	dir := m.in.MarketplaceDir()
	if output == "" {
		// Refuse before downloading anything.
		if _, err := glpihost.PluginTarget(dir, pl.Key, force); err != nil {
			return nil, refusal(err)
		}
	}
	known, err := loadSigners(m.in)
	if err != nil {
		return nil, err
	}
	exp, err := m.expected(ctx, pl.Key, v, known)
	if err != nil {
		return nil, err
	}
	filename, err := archiveName(*v.DownloadURL)
	if err != nil {
		return nil, refusal(err)
	}
	tmpDir := ""
	if output != "" {
		tmpDir = filepath.Dir(output)
	}
	tmp, size, sum, err := m.fetch(ctx, v, tmpDir, pl.Key+" "+v.Num)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	if err := exp.Verify(size, sum); err != nil {
		return nil, refusal(err)
	}
	res := &installResult{Key: pl.Key, Version: v.Num, Size: size, SHA256: fmt.Sprintf("%x", sum)}
	res.verified(exp)
	if exp.PublicKey != nil {
		origin := client.Origin(m.server)
		if old := known.seen(origin); old != nil && !old.Equal(exp.PublicKey) {
			res.Warnings = append(res.Warnings, "the server's signing key changed from "+keyID(old)+" to "+keyID(exp.PublicKey))
		}
		if err := known.remember(origin, exp.PublicKey); err != nil {
			res.Warnings = append(res.Warnings, "could not remember the signing key in "+known.path()+": "+err.Error())
		}
	}
	if output != "" {
		man, err := inspectAs(tmp, filename)
		if err == nil && man.Key != pl.Key {
			err = glpinet.Errorf(glpinet.EINVALID, "the archive holds the plugin %q, not %q", man.Key, pl.Key)
		}
		if err != nil {
			return nil, refusal(err)
		}
		if err := os.Rename(tmp, output); err != nil {
			return nil, err
		}
		res.Status, res.Path = "saved", output
		res.NextStep = "copy " + output + " to the GLPI host and extract it into GLPI's marketplace/ directory"
		return res, nil
	}

	previous := ""
	if inst, _ := installedPlugins(m.in); inst[pl.Key] != nil && inst[pl.Key].Where == "marketplace" {
		previous = inst[pl.Key].Version
	}
	var man *pluginarchive.Manifest
	done, err := glpihost.InstallPlugin(dir, pl.Key, force, func(staging string) error {
		man, err = pluginarchive.ExtractFile(tmp, filename, pluginarchive.DefaultLimits(), staging)
		if err == nil && man.Key != pl.Key {
			return glpinet.Errorf(glpinet.EINVALID, "the archive holds the plugin %q, not %q", man.Key, pl.Key)
		}
		return err
	})
	if err != nil {
		return nil, refusal(err)
	}
	res.Path, res.Previous, res.Status = done.Path, previous, "installed"
	if done.Replaced {
		res.Status = "updated"
		if previous == v.Num {
			// The same version again (a repair, or --force): GLPI has
			// nothing to update.
			res.Status = "reinstalled"
		}
	}
	if man.Version != v.Num {
		res.Warnings = append(res.Warnings, fmt.Sprintf("setup.php declares version %s, the catalogue %s", man.Version, v.Num))
	}
	if done.Leftover != "" {
		res.Warnings = append(res.Warnings, "could not remove "+done.Leftover+" (the previous version): remove it by hand")
	}
	if fi, err := os.Stat(filepath.Join(m.in.PluginsDir(), pl.Key)); err == nil && fi.IsDir() {
		res.Warnings = append(res.Warnings, "plugins/"+pl.Key+" also exists (a manual install): GLPI now loads marketplace/"+pl.Key+"; remove plugins/"+pl.Key+" to avoid confusion")
	}
	// GLPI tells the services after extracting, with the version setup.php
	// declares; the answer does not matter (fire and forget). A version
	// that is not a version string does not go into the URL.
	if client.ValidVersion(man.Version) {
		res.Notified, _ = m.glpi.NotifyDownload(ctx, pl.Key, man.Version)
	} else {
		res.Warnings = append(res.Warnings, "setup.php's version is not a version string: no download notice sent")
	}
	if res.Status != "reinstalled" {
		res.NextStep = nextStep(pl.Key, res.Status == "updated")
	}
	return res, nil
}

// inspectAs validates the archive file at path, whose format is named by
// filename (the download URL's), without extracting it.
func inspectAs(path, filename string) (*pluginarchive.Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return pluginarchive.Inspect(f, st.Size(), filename, pluginarchive.DefaultLimits())
}

// nextStep tells the administrator how GLPI takes the new files into use:
// extracting is all GLPI's marketplace does when the UI's auto-install is
// off, and all its console command marketplace:download ever does.
func nextStep(key string, update bool) string {
	if update {
		return "GLPI now lists " + key + " as to be updated: in Setup > Plugins click its update button, or run, as the web server user, php bin/console plugin:install --username=ADMIN " + key + " then php bin/console plugin:activate " + key
	}
	return "in GLPI, Setup > Plugins: install then enable " + key + "; or run, as the web server user, php bin/console plugin:install --username=ADMIN " + key + " then php bin/console plugin:activate " + key
}

// expected gathers what the catalogue and the server's signing key say the
// archive must be. A server once seen signing (known) must still sign:
// a 404 for its key now is refused, as is a version without a signature
// (by Expected.Verify).
func (m *market) expected(ctx context.Context, key string, v client.Version, known *signers) (pluginarchive.Expected, error) {
	exp := pluginarchive.Expected{Key: key, Version: v.Num, Size: v.Size, SHA256: v.SHA256}
	pub, err := m.signingKey(ctx)
	if err != nil {
		return exp, err
	}
	if old := known.seen(client.Origin(m.server)); pub == nil && old != nil {
		return exp, &cli.ExitError{Msg: fmt.Sprintf("refused: %s signed its archives with %s before and now says it has no signing key; nothing was changed "+
			"(if the server really stopped signing, remove its entry from %s)", m.server, keyID(old), known.path())}
	}
	exp.PublicKey = pub
	if v.Signature != "" {
		if exp.Signature, err = base64.StdEncoding.DecodeString(v.Signature); err != nil {
			return exp, refusal(glpinet.Errorf(glpinet.EINVALID, "%s %s: the catalogue's signature is not base64", key, v.Num))
		}
	}
	return exp, nil
}

// signingKey asks the server once for its signing key.
func (m *market) signingKey(ctx context.Context) (ed25519.PublicKey, error) {
	pub, err := m.glpi.SigningKey(ctx)
	if err != nil {
		return nil, unavailable(m.server, "did not send its signing key (only a 404 says it signs nothing)", err)
	}
	return pub, nil
}

// archiveName is the last segment of the download URL's path, which
// names the format as for GLPI (query string dropped).
func archiveName(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", glpinet.Errorf(glpinet.EINVALID, "the download URL %q is not a URL", raw)
	}
	name := path.Base(u.Path)
	if _, err := pluginarchive.FormatOf(name); err != nil {
		return "", err
	}
	return name, nil
}

// fetch downloads v's archive into a new temporary file (in dir, or the
// system's temporary directory), never past the catalogue's size, hashing
// it on the way and showing progress on a terminal, and returns its path,
// size and SHA-256.
func (m *market) fetch(ctx context.Context, v client.Version, dir, what string) (string, int64, []byte, error) {
	f, err := glpihost.CreateDownloadTemp(dir)
	if err != nil {
		return "", 0, nil, err
	}
	h := sha256.New()
	bar := cli.NewBytesProgress(m.progress, v.Size, what)
	_, n, err := m.glpi.DownloadVersion(ctx, v, io.MultiWriter(f, h, bar))
	bar.Done()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		var tooLarge *client.TooLargeError
		switch {
		case errors.Is(err, client.ErrNotOK):
			return "", 0, nil, &cli.ExitError{Msg: fmt.Sprintf("%s: %v (is the registration key's subscription running? glpinet key show)", what, err)}
		case errors.As(err, &tooLarge), errors.Is(err, client.ErrSizeMismatch):
			return "", 0, nil, &cli.ExitError{Msg: fmt.Sprintf("refused: %s: %v; nothing was changed", what, err)}
		}
		return "", 0, nil, unavailable(m.server, "did not send "+what+" whole", err)
	}
	return f.Name(), n, h.Sum(nil), nil
}

// verified fills what was checked of the archive, from what the
// catalogue and the server published.
func (r *installResult) verified(exp pluginarchive.Expected) {
	r.Verified = []string{}
	if exp.Size > 0 {
		r.Verified = append(r.Verified, "size")
	}
	if exp.SHA256 != "" {
		r.Verified = append(r.Verified, "sha256")
	}
	if exp.PublicKey != nil {
		r.Verified = append(r.Verified, "signature")
		r.Signed, r.SigningKey = true, keyID(exp.PublicKey)
	}
	switch {
	case r.Signed && exp.SHA256 != "":
		r.Verification = "SHA-256 and signature verified (key " + r.SigningKey + ")"
	case r.Signed:
		r.Verification = "signature verified (key " + r.SigningKey + "; the catalogue gives no SHA-256)"
	case exp.SHA256 != "":
		r.Verification = "SHA-256 verified; not signed: the server publishes no signing key"
	case exp.Size > 0:
		r.Verification = "not verified: the server published neither a digest nor a signature (only the size matched)"
	default:
		r.Verification = "not verified: the server published neither a digest nor a signature"
	}
}

// refusal turns an archive or directory problem into the one-line refusal
// the administrator sees; other errors pass through.
func refusal(err error) error {
	var e *glpinet.Error
	if errors.As(err, &e) && (e.Code == glpinet.EINVALID || e.Code == glpinet.ECONFLICT || e.Code == glpinet.EFORBIDDEN) {
		return &cli.ExitError{Msg: "refused: " + e.Message + "; nothing was changed"}
	}
	return err
}

// print shows one result for people.
func (r *installResult) print(w io.Writer) {
	switch r.Status {
	case "installed", "updated", "reinstalled":
		from := ""
		if r.Status == "reinstalled" {
			from = " (the same version was installed already)"
		} else if r.Previous != "" {
			from = " (was " + r.Previous + ")"
		}
		fmt.Fprintf(w, "%s %s %s in %s%s: %s.\n", r.Status, r.Key, r.Version, r.Path, from, r.Verification)
	case "saved":
		fmt.Fprintf(w, "saved %s %s to %s (%d bytes, sha256 %s): %s.\n", r.Key, r.Version, r.Path, r.Size, r.SHA256, r.Verification)
	case "failed":
		fmt.Fprintf(w, "%s: failed: %s\n", r.Key, cli.Clean(r.Error))
	default:
		fmt.Fprintf(w, "%s %s: %s.\n", r.Key, r.Previous, r.Status)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", cli.Clean(warn))
	}
	if r.NextStep != "" {
		fmt.Fprintf(w, "  next: %s\n", r.NextStep)
	}
}
