package http

import (
	"embed"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/i18n"
)

// messageFS holds the texts, one JSON file per surface and language:
// messages/glpi for what GLPI shows verbatim, messages/portal for pages.
//
//go:embed messages
var messageFS embed.FS

var (
	// languages the server answers in; the first is the fallback.
	languages = []string{"en", "fr"}
	matcher   = i18n.NewMatcher(languages...)
	glpiTexts = i18n.MustLoad(messageFS, "messages/glpi", languages[0])
)

// language picks the answer language from a header GLPI sends as
// "Accept-Language: fr" or "X-Lang: en-GB", or a browser's longer list
// ("fr-FR,fr;q=0.9,en;q=0.8"), q-values counted.
func language(header string) string { return matcher.Match(header) }

// tagLanguage returns the 2-letter language of an X-Lang header, whether
// or not the server has translations for it (tag names may).
func tagLanguage(header string) string {
	header = strings.TrimSpace(header)
	if len(header) < 2 {
		return "en"
	}
	return strings.ToLower(header[:2])
}

// msg returns the GLPI validation message id (a verdict code, "until",
// "no_end") in lang.
func msg(lang, id string) string { return glpiTexts.Text(lang, id) }

// keyProblem explains in lang why a key is malformed.
func keyProblem(lang string, p glpinet.KeyProblem) string {
	if p == glpinet.KeyOK {
		return ""
	}
	return glpiTexts.Text(lang, "key."+string(p))
}
