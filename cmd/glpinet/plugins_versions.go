package main

import (
	"sort"
	"strings"

	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/cli"
	"github.com/glpinet/glpinet/phpver"
)

// compatible reports whether this GLPI can run a version. glpinet servers
// already filter by the User-Agent's GLPI version; checking again keeps
// glpinet safe with servers that do not. A constraint that does not parse
// hides nothing, as on the server.
func compatible(v client.Version, glpi string) bool {
	if v.Compatibility == "" || glpi == "" {
		return true
	}
	c, err := phpver.ParseConstraint(v.Compatibility)
	return err != nil || phpver.CheckGLPI(c, glpi)
}

// stable is GLPI's prerelease filter: a missing stability means stable.
func stable(v client.Version) bool { return v.Stability == "" || v.Stability == "stable" }

// candidates returns the versions this GLPI can run, newest first,
// prereleases only when asked for.
func candidates(p *client.Plugin, glpi string, prereleases bool) []client.Version {
	var out []client.Version
	for _, v := range p.Versions {
		if compatible(v, glpi) && (prereleases || stable(v)) {
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return phpver.Compare(out[i].Num, out[j].Num) > 0 })
	return out
}

// newest is the newest version GLPI would offer, downloadable or not;
// ok is false when there is none.
func newest(p *client.Plugin, glpi string, prereleases bool) (client.Version, bool) {
	c := candidates(p, glpi, prereleases)
	if len(c) == 0 {
		return client.Version{}, false
	}
	return c[0], true
}

// pick chooses the version to install: want when given (any stability),
// else the newest compatible one. It explains, in one line, why nothing
// can be installed: no compatible version, only prereleases, or a version
// that needs an offer the key does not have.
func pick(p *client.Plugin, glpi, want string, prereleases, hasKey bool) (client.Version, error) {
	all := candidates(p, glpi, true)
	var chosen *client.Version
	if want != "" {
		for i := range all {
			if all[i].Num == want {
				chosen = &all[i]
			}
		}
		if chosen == nil {
			return client.Version{}, &cli.ExitError{Msg: p.Key + " has no version " + want + " for GLPI " + glpi + available(all)}
		}
	} else {
		c := candidates(p, glpi, prereleases)
		switch {
		case len(all) == 0:
			return client.Version{}, &cli.ExitError{Msg: p.Key + " has no version compatible with GLPI " + glpi + ": see glpinet plugins info " + p.Key}
		case len(c) == 0:
			return client.Version{}, &cli.ExitError{Msg: p.Key + " has only pre-releases for GLPI " + glpi + available(all) + ": use --version or --prereleases"}
		}
		chosen = &c[0]
	}
	if chosen.DownloadURL == nil || *chosen.DownloadURL == "" {
		msg := p.Key + " " + chosen.Num + " needs the offer " + strings.Join(offers(*chosen, p), " or ")
		if hasKey {
			msg += ", which this instance's registration key does not have: upgrade the subscription on your services portal"
		} else {
			msg += " and no registration key is stored: glpinet key set KEY"
		}
		for _, v := range all {
			if v.DownloadURL != nil && *v.DownloadURL != "" && (prereleases || stable(v) || want != "") {
				msg += " (" + v.Num + " is available to you: --version " + v.Num + ")"
				break
			}
		}
		return client.Version{}, &cli.ExitError{Msg: msg}
	}
	return *chosen, nil
}

// offers is the offers a version needs, or the plugin's when the version
// does not say (GLPI only reads the plugin-level list).
func offers(v client.Version, p *client.Plugin) []string {
	if len(v.RequiredOffers) > 0 {
		return v.RequiredOffers
	}
	if len(p.RequiredOffers) > 0 {
		return p.RequiredOffers
	}
	return []string{"(unknown: the server gives no download link)"}
}

// available lists version numbers for a message.
func available(vs []client.Version) string {
	if len(vs) == 0 {
		return ""
	}
	nums := make([]string, len(vs))
	for i, v := range vs {
		nums[i] = v.Num
	}
	return " (available: " + strings.Join(nums, ", ") + ")"
}

// description is the plugin's short text in English, else the first.
func description(p *client.Plugin) (short, long string) {
	for _, d := range p.Descriptions {
		if d.Lang == "en" {
			return d.Short, d.Long
		}
	}
	if len(p.Descriptions) > 0 {
		return p.Descriptions[0].Short, p.Descriptions[0].Long
	}
	return "", ""
}
