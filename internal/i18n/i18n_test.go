package i18n

import (
	"testing"
	"testing/fstest"
)

func TestMatch(t *testing.T) {
	m := NewMatcher("en", "fr")
	for in, want := range map[string]string{
		"":                               "en",
		"fr":                             "fr",
		"FR":                             "fr",
		"en":                             "en",
		"fr-FR":                          "fr",
		"fr_FR":                          "fr", // GLPI's session language
		"en-GB":                          "en",
		"de":                             "en",
		"de, fr":                         "fr",
		"fr-FR,fr;q=0.9,en;q=0.8":        "fr",
		"fr;q=0.1, en;q=0.9":             "en", // q-values count
		"en;q=0.2, fr-CA;q=0.7, *;q=0.1": "fr",
		"pt-BR":                          "en",
		"x":                              "en",
		";;;,,,":                         "en",
		"fr;q=abc":                       "en",
	} {
		if got := m.Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	long := make([]byte, 10000)
	for i := range long {
		long[i] = 'a'
	}
	if got := m.Match("fr," + string(long)); got != "en" {
		t.Errorf("a 10 kB header = %q, want the fallback", got)
	}
}

func TestCatalog(t *testing.T) {
	fsys := fstest.MapFS{
		"m/en.json": {Data: []byte(`{"a":"A","b":"B"}`)},
		"m/fr.json": {Data: []byte(`{"a":"À"}`)},
	}
	c, err := Load(fsys, "m", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, id, want string }{
		{"fr", "a", "À"}, {"fr", "b", "B"}, {"de", "a", "A"}, {"fr", "zz", "zz"},
	} {
		if got := c.Text(tc.lang, tc.id); got != tc.want {
			t.Errorf("Text(%q, %q) = %q, want %q", tc.lang, tc.id, got, tc.want)
		}
	}
	if _, err := Load(fsys, "m", "de"); err == nil {
		t.Error("a fallback without its file loaded")
	}
	if _, err := Load(fstest.MapFS{"m/en.json": {Data: []byte(`{"a":`)}}, "m", "en"); err == nil {
		t.Error("a broken file loaded")
	}
}

func BenchmarkMatchGLPI(b *testing.B) {
	m := NewMatcher("en", "fr")
	for b.Loop() {
		m.Match("fr")
	}
}

func BenchmarkMatchBrowser(b *testing.B) {
	m := NewMatcher("en", "fr")
	for b.Loop() {
		m.Match("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7")
	}
}
