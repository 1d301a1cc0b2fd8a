package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"strings"
	texttemplate "text/template"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/i18n"
)

// templateFS holds, per kind of mail, KIND.txt and KIND.html, each
// defining "body" inside layout.txt and layout.html.
//
//go:embed templates
var templateFS embed.FS

// messageFS holds the mails' texts, one JSON file per language.
//
//go:embed messages
var messageFS embed.FS

// Texts are the mails' texts (messages/<lang>.json); English stands in
// for a missing translation.
var Texts = i18n.MustLoad(messageFS, "messages", "en")

// page is what the templates see.
type page struct {
	Lang string
	// Data are the mail's values: .Data.link…
	Data map[string]string
}

var funcs = map[string]any{
	// t is the text id in lang.
	"t": func(lang, id string) string { return Texts.Text(lang, id) },
	// tf is the text id in lang with printf's verbs filled by args.
	"tf": func(lang, id string, args ...any) string { return fmt.Sprintf(Texts.Text(lang, id), args...) },
}

// kind is one kind of mail's templates.
type kind struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// kinds are the templates, parsed once, by kind.
var kinds = mustParse()

func mustParse() map[string]kind {
	textBase := texttemplate.Must(texttemplate.New("layout.txt").Funcs(funcs).ParseFS(templateFS, "templates/layout.txt"))
	htmlBase := htmltemplate.Must(htmltemplate.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	names, _ := fs.Glob(templateFS, "templates/*.txt")
	out := map[string]kind{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".txt")
		if name == "layout" {
			continue
		}
		k := kind{
			text: texttemplate.Must(texttemplate.Must(textBase.Clone()).ParseFS(templateFS, n)),
			html: htmltemplate.Must(htmltemplate.Must(htmlBase.Clone()).ParseFS(templateFS, "templates/"+name+".html")),
		}
		out[name] = k
	}
	return out
}

// Kinds returns the kinds of mail that have templates.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	return out
}

// Render returns m's subject, text and HTML in m.Lang. Returns EINVALID
// for a kind without templates or values the templates cannot use: the
// mail can never be sent.
func Render(m *glpinet.Mail) (Rendered, error) {
	k, ok := kinds[m.Kind]
	if !ok {
		return Rendered{}, glpinet.Errorf(glpinet.EINVALID, "No templates for mails of kind %q.", m.Kind)
	}
	p := page{Lang: m.Lang, Data: m.Data}
	if p.Data == nil {
		p.Data = map[string]string{}
	}
	var text, html bytes.Buffer
	if err := k.text.Execute(&text, p); err != nil {
		return Rendered{}, glpinet.Errorf(glpinet.EINVALID, "Mail template %s.txt: %v", m.Kind, err)
	}
	if err := k.html.Execute(&html, p); err != nil {
		return Rendered{}, glpinet.Errorf(glpinet.EINVALID, "Mail template %s.html: %v", m.Kind, err)
	}
	return Rendered{Subject: Texts.Text(m.Lang, m.Kind+".subject"), Text: text.String(), HTML: html.String()}, nil
}
