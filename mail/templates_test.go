package mail_test

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/mail"
)

// TestTemplates: every kind renders in every language with a subject,
// a text and an HTML part, and every text a template asks for exists in
// English and French with the same printf verbs.
func TestTemplates(t *testing.T) {
	if !slices.Contains(mail.Kinds(), glpinet.MailKindTest) {
		t.Fatalf("kinds %v lack %q", mail.Kinds(), glpinet.MailKindTest)
	}
	if got := mail.Texts.Languages(); !slices.Equal(got, []string{"en", "fr"}) {
		t.Fatalf("languages %v", got)
	}
	for _, kind := range mail.Kinds() {
		if !glpinet.MailKindPattern.MatchString(kind) {
			t.Errorf("kind %q is not a valid kind name", kind)
		}
		for _, lang := range mail.Texts.Languages() {
			r, err := mail.Render(&glpinet.Mail{To: "a@example.com", Lang: lang, Kind: kind, Data: map[string]string{"server": "S", "link": "https://x/<&>"}})
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, lang, err)
			}
			if !mail.Texts.Has(lang, kind+".subject") || r.Text == "" || !strings.Contains(r.HTML, "</html>") {
				t.Errorf("%s/%s: %+v", kind, lang, r)
			}
		}
	}
	ids := map[string]bool{"footer": true}
	re := regexp.MustCompile(`\{\{tf? \.Lang "([^"]+)"`)
	files, _ := fs.Glob(os.DirFS("templates"), "*")
	for _, f := range files {
		b, _ := os.ReadFile("templates/" + f)
		for _, m := range re.FindAllSubmatch(b, -1) {
			ids[string(m[1])] = true
		}
	}
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for id := range ids {
		for _, lang := range []string{"en", "fr"} {
			if !mail.Texts.Has(lang, id) {
				t.Errorf("%q has no %s text", id, lang)
			}
		}
	}
	for _, id := range mail.Texts.IDs("en") {
		if !mail.Texts.Has("fr", id) {
			t.Errorf("%q has no French text", id)
		}
		if got, want := verbs.FindAllString(mail.Texts.Text("fr", id), -1), verbs.FindAllString(mail.Texts.Text("en", id), -1); !slices.Equal(got, want) {
			t.Errorf("%q: French verbs %q, English %q", id, got, want)
		}
	}
	// Values are escaped in the HTML part.
	r, _ := mail.Render(&glpinet.Mail{To: "a@example.com", Kind: glpinet.MailKindTest, Data: map[string]string{"server": "<b>x</b>"}})
	if strings.Contains(r.HTML, "<b>x</b>") || !strings.Contains(r.Text, "<b>x</b>") {
		t.Errorf("escaping: HTML %q", r.HTML)
	}
}
