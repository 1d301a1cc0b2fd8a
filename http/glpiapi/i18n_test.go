package glpiapi

import (
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
)

// TestGLPITexts: every verdict GLPI can be answered with and every key
// problem has its own text in every language.
func TestGLPITexts(t *testing.T) {
	ids := []string{"until", "no_end", "VALID", "VALID_GRACE", "MISSING", "MALFORMED", "UNKNOWN", "REVOKED",
		"ROTATED_EXPIRED", "SUBSCRIPTION_ENDED", "NO_SUBSCRIPTION", "ACCOUNT_SUSPENDED"}
	for _, p := range []glpinet.KeyProblem{glpinet.KeyEmpty, glpinet.KeyWrongPrefix, glpinet.KeyTooShort,
		glpinet.KeyTooLong, glpinet.KeyBadChars, glpinet.KeyChecksum} {
		ids = append(ids, "key."+string(p))
	}
	for _, id := range ids {
		for _, lang := range httpx.Languages {
			if !glpiTexts.Has(lang, id) {
				t.Errorf("%q has no %s text", id, lang)
			}
		}
	}
}
