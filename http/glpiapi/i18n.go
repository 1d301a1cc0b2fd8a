package glpiapi

import (
	"embed"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/internal/i18n"
)

// messageFS holds the texts GLPI shows verbatim, one JSON file per
// language.
//
//go:embed messages/glpi
var messageFS embed.FS

var glpiTexts = i18n.MustLoad(messageFS, "messages/glpi", httpx.Languages[0])

// Texts returns the texts GLPI shows (verdict messages, key problems), for
// the checks that every language has them all.
func Texts() *i18n.Catalog { return glpiTexts }

// language picks the answer language from Accept-Language or X-Lang.
func language(header string) string { return httpx.Language(header) }

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
