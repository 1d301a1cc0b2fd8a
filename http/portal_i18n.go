package http

import "github.com/glpinet/glpinet/internal/i18n"

// portalTexts are the portal's texts (messages/portal/<lang>.json).
var portalTexts = i18n.MustLoad(messageFS, "messages/portal", languages[0])

// pt returns the portal text id in lang, falling back to English and then
// to the id itself (a missing translation shows, rather than breaking).
func pt(lang, id string) string { return portalTexts.Text(lang, id) }
