package http

import (
	"io/fs"
	"regexp"
	"testing"
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
		for _, lang := range languages {
			if _, ok := portalMessages[lang][id]; !ok {
				t.Errorf("%q has no %s text", id, lang)
			}
		}
	}
}
