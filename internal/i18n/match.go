package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// Matcher picks, among a fixed list of languages, the one a client asks
// for. The first language is the fallback.
type Matcher struct {
	langs   []string // 2-letter codes, in the order given
	matcher language.Matcher
}

// NewMatcher returns a Matcher over langs (2-letter codes such as "en",
// "fr"); langs[0] is the answer when nothing matches.
func NewMatcher(langs ...string) *Matcher {
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		tags[i] = language.MustParse(l)
	}
	return &Matcher{langs: langs, matcher: language.NewMatcher(tags)}
}

// Languages returns the languages the matcher chooses from, fallback first.
func (m *Matcher) Languages() []string { return m.langs }

// maxHeader bounds the Accept-Language value parsed: a browser's is a few
// dozen bytes; a longer one is a client's choice to get the fallback.
const maxHeader = 256

// Match returns the language for an Accept-Language (or X-Lang) header:
// "fr", "fr-FR", "fr_FR", "de, fr;q=0.5, en;q=0.9" (→ en: q-values count).
// An empty, unparsable or unmatched header gets the fallback.
func (m *Matcher) Match(header string) string {
	// GLPI sends a bare 2-letter code on every request: answer it without
	// parsing, as it is the hot path of the registration endpoints.
	if len(header) == 2 {
		for _, l := range m.langs {
			if strings.EqualFold(header, l) {
				return l
			}
		}
	}
	if header == "" || len(header) > maxHeader {
		return m.langs[0]
	}
	// GLPI's session languages use '_' (fr_FR); BCP 47 uses '-'.
	tags, _, err := language.ParseAcceptLanguage(strings.ReplaceAll(header, "_", "-"))
	if err != nil || len(tags) == 0 {
		return m.langs[0]
	}
	_, i, conf := m.matcher.Match(tags...)
	if conf == language.No {
		return m.langs[0]
	}
	return m.langs[i]
}
