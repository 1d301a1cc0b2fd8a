package cli

import (
	"net/url"
	"strings"
)

// ServerURL checks a server's URL given in the flag named flagName and
// returns it without a trailing slash: scheme http or https, a host, and a
// path only when allowPath (a server behind a proxy under a prefix). Each
// mistake people make gets its own message with the fix: no value, no
// scheme ("glpi.example.com", "127.0.0.1:8080"), another scheme, a path, a
// query.
func ServerURL(flagName, raw string, allowPath bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", Usagef("--%s is required: the server's URL, like https://glpinet.example.com", flagName)
	}
	if !strings.Contains(raw, "://") {
		return "", Usagef("--%s %q has no scheme: write https://%s (or http://%s for a server without TLS)", flagName, raw, raw, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", Usagef("--%s %q is not a URL: %v", flagName, raw, err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", Usagef("--%s %q: the scheme must be https or http, not %s", flagName, raw, u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return "", Usagef("--%s %q has no host: write it like https://glpinet.example.com", flagName, raw)
	case u.User != nil:
		return "", Usagef("--%s %q must not hold a user name or password", flagName, raw)
	case u.RawQuery != "" || u.Fragment != "":
		return "", Usagef("--%s %q must not have a query or fragment", flagName, raw)
	case !allowPath && u.Path != "" && u.Path != "/":
		return "", Usagef("--%s %q has a path (%s): give the server's root URL, like %s://%s", flagName, raw, u.Path, u.Scheme, u.Host)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}
