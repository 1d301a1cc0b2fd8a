package portal

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"

	"github.com/glpinet/glpinet/http/glpiapi"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/internal/i18n"
)

// TestPortalTranslations: every text a template asks for exists in every
// language, so that no page shows a message id.
func TestPortalTranslations(t *testing.T) {
	ids := map[string]bool{}
	re := regexp.MustCompile(`\{\{t \$?\.Lang "([^"]+)"`)
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		b, _ := fs.ReadFile(templateFS, n)
		for _, m := range re.FindAllSubmatch(b, -1) {
			ids[string(m[1])] = true
		}
	}
	if len(ids) < 50 {
		t.Fatalf("found only %d message ids in the templates", len(ids))
	}
	for id := range ids {
		for _, lang := range httpx.Languages {
			if !portalTexts.Has(lang, id) {
				t.Errorf("%q has no %s text", id, lang)
			}
		}
	}
}

// TestTranslationsAgree: each language file has the ids of the fallback's
// and the same printf verbs in the same order, so that a translation can
// neither go missing nor print "%!s(MISSING)".
func TestTranslationsAgree(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for name, c := range map[string]*i18n.Catalog{"glpi": glpiapi.Texts(), "portal": portalTexts} {
		if got := c.Languages(); !slices.Equal(got, []string{"en", "fr"}) {
			t.Errorf("%s: languages %v, want en and fr", name, got)
		}
		for _, lang := range c.Languages() {
			if got, want := c.IDs(lang), c.IDs("en"); !slices.Equal(got, want) {
				t.Errorf("%s/%s.json ids differ from en.json's", name, lang)
			}
			for _, id := range c.IDs(lang) {
				got := verbs.FindAllString(c.Text(lang, id), -1)
				want := verbs.FindAllString(c.Text("en", id), -1)
				if !slices.Equal(got, want) {
					t.Errorf("%s/%s %q: verbs %q, en has %q", name, lang, id, got, want)
				}
			}
		}
	}
}
