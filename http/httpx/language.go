package httpx

import "github.com/glpinet/glpinet/internal/i18n"

// Languages the server answers in, on every surface; the first is the
// fallback.
var Languages = []string{"en", "fr"}

var matcher = i18n.NewMatcher(Languages...)

// Language picks the answer language from a header GLPI sends as
// "Accept-Language: fr" or "X-Lang: en-GB", or a browser's longer list
// ("fr-FR,fr;q=0.9,en;q=0.8"), q-values counted.
func Language(header string) string { return matcher.Match(header) }
