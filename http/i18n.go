package http

import (
	"embed"

	"github.com/glpinet/glpinet/http/glpiapi"
	"github.com/glpinet/glpinet/http/httpx"
)

// messageFS holds the portal's texts, one JSON file per language (GLPI's
// own are in http/glpiapi).
//
//go:embed messages
var messageFS embed.FS

var (
	// languages the server answers in; the first is the fallback.
	languages = httpx.Languages
	// glpiTexts are the texts GLPI shows, checked with the portal's.
	glpiTexts = glpiapi.Texts()
)

// language picks the answer language from an Accept-Language or X-Lang
// header (see httpx.Language).
func language(header string) string { return httpx.Language(header) }
