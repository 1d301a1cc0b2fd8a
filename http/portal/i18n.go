package portal

import (
	"embed"

	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/internal/i18n"
)

// messageFS holds the portal's texts, one JSON file per language (GLPI's
// own are in http/glpiapi).
//
//go:embed messages
var messageFS embed.FS

// portalTexts are the portal's texts (messages/<lang>.json).
var portalTexts = i18n.MustLoad(messageFS, "messages", httpx.Languages[0])

// pt returns the portal text id in lang, falling back to English and then
// to the id itself (a missing translation shows, rather than breaking).
func pt(lang, id string) string { return portalTexts.Text(lang, id) }
