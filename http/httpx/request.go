package httpx

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/glpinet/glpinet"
)

// PathID reads a positive integer path value; a value that is not one is
// an ENOTFOUND error naming what was asked for.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, glpinet.Errorf(glpinet.ENOTFOUND, "There is no %s %q.", name, r.PathValue(name))
	}
	return id, nil
}

// secretWildcards are the path wildcards whose values are secrets: an
// invitation code lets anyone join the account, a reset token sets its
// user's password.
var secretWildcards = []string{"{code}", "{token}"}

// secretPrefixes are the paths under which what follows is a secret,
// routed or not: a mistyped or unrouted path logs as the prefix and "…".
var secretPrefixes = []string{"/join/", "/password/reset/", "/verify/"}

// LoggedPath is the request's path as logs may show it: the route's
// pattern when the path holds a secret.
func LoggedPath(r *http.Request) string {
	for _, w := range secretWildcards {
		if strings.Contains(r.Pattern, w) {
			_, path, _ := strings.Cut(r.Pattern, " ")
			return path
		}
	}
	for _, p := range secretPrefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			return p + "…" // a path no route took, a secret all the same
		}
	}
	return r.URL.Path
}

// WantsHTML reports whether the client prefers an HTML page to JSON: a
// browser (its Accept names text/html, with a quality at least that of
// application/json). GLPI, curl and the API clients send no Accept, */*
// or application/json, and get JSON.
func WantsHTML(r *http.Request) bool {
	html, json := -1.0, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		switch mt {
		case "text/html", "application/xhtml+xml":
			html = max(html, q)
		case "application/json":
			json = max(json, q)
		}
	}
	return html > 0 && html >= json
}
