package httpx

import "testing"

func TestLanguage(t *testing.T) {
	for in, want := range map[string]string{"fr": "fr", "en": "en", "fr-FR,fr;q=0.9": "fr", "de": "en", "": "en", "de-DE, fr;q=0.5": "fr", "FR": "fr", "fr;q=0.1, en": "en", "fr_FR": "fr"} {
		if got := Language(in); got != want {
			t.Errorf("Language(%q) = %q, want %q", in, got, want)
		}
	}
}
