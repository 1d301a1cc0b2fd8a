package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/service"
	"github.com/glpinet/glpinet/signing"
)

func runPlugin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return sub(ctx, "plugin", args, stdout, stderr, map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"publish": pluginPublish,
		"list":    pluginList,
		"yank":    pluginYank,
		"resign":  pluginResign,
	})
}

func pluginPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("plugin publish")
	fs := c.fs
	// The options as text, read by the same rules as the portal's form
	// and the API's query; the catalogue text beside them.
	var fields service.PublishFields
	fs.StringVar(&fields.RequiredOffers, "required-offers", "", "offers that unlock the version, comma-separated (higher offers included); none = public")
	fs.StringVar(&fields.Compatibility, "compatibility", "", "GLPI versions, as a Composer constraint like ~10.0 (default: from setup.php)")
	fs.StringVar(&fields.Stability, "stability", "", "stable, RC, beta, alpha or dev (default: from the version number)")
	fs.StringVar(&fields.Tags, "tags", "", "tag keys, comma-separated")
	meta := fs.String("meta", "", "JSON metadata file (name, descriptions, authors, urls…; default: ARCHIVE.meta.json if present)")
	force := fs.Bool("force", false, "replace the version if it is already published")
	var flagMeta glpinet.PluginMeta
	fs.StringVar(&flagMeta.Name, "name", "", "display name")
	fs.StringVar(&flagMeta.LogoURL, "logo-url", "", "logo URL")
	fs.StringVar(&flagMeta.HomepageURL, "homepage-url", "", "homepage URL")
	fs.StringVar(&flagMeta.License, "license", "", "license, e.g. GPLv3+")
	short := fs.String("description", "", "short English description")
	var opts glpinet.PublishOptions
	check := func(pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("plugin publish takes one ARCHIVE (.zip, .tar.gz or .tar.bz2)")
		}
		fields.Force = strconv.FormatBool(*force)
		var err error
		if opts, err = fields.Options(); err != nil {
			return err
		}
		tags := opts.Meta.Tags
		if err := loadMeta(pos[0], *meta, &opts.Meta); err != nil {
			return err
		}
		mergeFlags(&opts.Meta, flagMeta)
		if tags != nil {
			opts.Meta.Tags = tags
		}
		if *short != "" {
			opts.Meta.Descriptions = append([]glpinet.Description{{Lang: "en", Short: *short}}, opts.Meta.Descriptions...)
		}
		return nil
	}
	return c.run(ctx, args, stdout, check, func(db Store, pos []string, out cli.Output) error {
		cat, err := storeCatalogue(ctx, db)
		if err != nil {
			return err
		}
		key, err := signing.LoadForCatalogue(c.sf.signingKeyPath(), cat)
		if err != nil {
			return err
		}
		p := &publish.Publisher{Store: db, ArchiveDir: c.sf.archiveDir(), Limits: pluginarchive.DefaultLimits(), SigningKey: key}
		res, err := p.Publish(cliActor(ctx), pos[0], opts)
		if err != nil {
			return err
		}
		return out.Result(res, func(w io.Writer) {
			gated := "public"
			if len(res.Version.RequiredOffers) > 0 {
				gated = "requires " + strings.Join(res.Version.RequiredOffers, " or ") + " (or higher)"
			}
			compat := res.Version.Compatibility
			if compat == "" {
				compat = "any GLPI version"
			}
			fmt.Fprintf(w, "Published %s %s (%s, %s): %s, %d bytes, sha256 %s.\nGLPI instances see it at their next catalogue refresh (at most an hour).\n",
				res.Plugin.Key, res.Version.Num, res.Version.Stability, compat, gated, res.Version.Archive.Size, res.Version.Archive.SHA256)
		})
	})
}

// loadMeta reads the metadata file: the one named, or ARCHIVE.meta.json
// when it exists.
func loadMeta(archive, path string, md *glpinet.PluginMeta) error {
	explicit := path != ""
	if !explicit {
		path = archive + ".meta.json"
	}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) && !explicit {
		return nil
	} else if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(md); err != nil {
		return glpinet.Errorf(glpinet.EINVALID, "metadata file %s: %v", path, err)
	}
	return nil
}

// mergeFlags lets flags override the metadata file.
func mergeFlags(md *glpinet.PluginMeta, flags glpinet.PluginMeta) {
	for _, f := range []struct{ dst, src *string }{
		{&md.Name, &flags.Name}, {&md.LogoURL, &flags.LogoURL}, {&md.HomepageURL, &flags.HomepageURL}, {&md.License, &flags.License},
	} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
}

func pluginList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("plugin list")
	return c.run(ctx, args, stdout, nArgs(0, "plugin list takes no arguments"), func(db Store, _ []string, out cli.Output) error {
		plugins, err := db.ListPlugins(ctx)
		if err != nil {
			return err
		}
		if plugins == nil {
			plugins = []*glpinet.Plugin{}
		}
		return out.Result(plugins, func(w io.Writer) {
			fmt.Fprintln(w, "KEY\tNAME\tVERSIONS\tDOWNLOADS")
			for _, p := range plugins {
				var nums []string
				for _, v := range p.Versions {
					n := v.Num
					if len(v.RequiredOffers) > 0 {
						n += "[" + strings.Join(v.RequiredOffers, ",") + "]"
					}
					nums = append(nums, n)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\n", p.Key, p.Name, strings.Join(nums, " "), p.DownloadCount)
			}
		})
	})
}

// pluginYank withdraws a version from the catalogue and its downloads, or
// puts it back with --undo.
func pluginYank(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("plugin yank")
	undo := c.fs.Bool("undo", false, "put the version back")
	return c.run(ctx, args, stdout, nArgs(2, "plugin yank takes a plugin KEY and a VERSION"), func(db Store, pos []string, out cli.Output) error {
		if err := db.YankVersion(cliActor(ctx), pos[0], pos[1], !*undo); err != nil {
			return err
		}
		return out.Result(map[string]any{"plugin": pos[0], "version": pos[1], "yanked": !*undo}, func(w io.Writer) {
			if *undo {
				fmt.Fprintf(w, "%s %s is back in the catalogue.\n", pos[0], pos[1])
				return
			}
			fmt.Fprintf(w, "%s %s is withdrawn: no longer listed nor downloadable (servers notice within a second).\n", pos[0], pos[1])
		})
	})
}

// pluginResign signs every version with the data directory's signing key
// (created if missing): the way out when the key that signed the catalogue
// is lost, since glpinetd refuses to serve a catalogue its key does not
// verify. Clients that pinned the old public key must be told of the new
// one, which is printed.
func pluginResign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newDBCommand("plugin resign")
	newKey := c.fs.Bool("new-key", false, "create a new signing key when DATA/signing.key is missing (the old one is lost)")
	return c.run(ctx, args, stdout, nArgs(0, "plugin resign takes no arguments"), func(db Store, _ []string, out cli.Output) error {
		path := c.sf.signingKeyPath()
		_, statErr := os.Stat(path)
		if os.IsNotExist(statErr) && !*newKey {
			// Run by mistake where the shared key is not, resigning would
			// replace every signature with a key no server has.
			return glpinet.Errorf(glpinet.EINVALID, "%s does not exist: run this where the servers' signing.key is, or add --new-key if that key is lost (then restart every server with the new key)", path)
		}
		key, err := signing.LoadOrCreate(path)
		if err != nil {
			return err
		}
		n, err := db.SignVersions(cliActor(ctx), func(v *glpinet.Version) []byte {
			return signing.Sign(key, v.PluginKey, v.Num, v.Archive.SHA256)
		})
		if err != nil {
			return err
		}
		pub := signing.PublicKeyText(key.Public().(ed25519.PublicKey))
		return out.Result(map[string]any{"resigned": n, "signing_key": path, "created": os.IsNotExist(statErr), "public_key": pub}, func(w io.Writer) {
			if os.IsNotExist(statErr) {
				fmt.Fprintf(w, "Created a new signing key in %s (keep it with your backups, and give it to every replica).\n", path)
			}
			fmt.Fprintf(w, "%s re-signed. Public key: %s\n", cli.Count(n, "version", "versions"), pub)
			if n > 0 {
				fmt.Fprintln(w, "Restart every server with this signing.key (they keep the previous public key until then); clients that pinned the previous public key must be given this one.")
			}
		})
	})
}
