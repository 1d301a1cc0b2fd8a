package portal

import (
	"strings"

	"github.com/glpinet/glpinet"
)

// marketFilter is the marketplace page's search: words found in a plugin's
// key, name, descriptions (any language: a French user may type an English
// word) or tags, and one tag to browse by.
type marketFilter struct {
	Q   string
	Tag string
}

// matches reports whether p has every word of f.Q and the tag f.Tag;
// tagNames gives each tag key its names, searched too.
func (f marketFilter) matches(p *glpinet.Plugin, tagNames map[string][]string) bool {
	if f.Tag != "" && !hasTag(p, f.Tag) {
		return false
	}
	words := strings.Fields(strings.ToLower(f.Q))
	if len(words) == 0 {
		return true
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(p.Key + " " + p.Name))
	for _, d := range p.Descriptions {
		b.WriteString(" " + strings.ToLower(d.Short+" "+d.Long))
	}
	for _, t := range p.Tags {
		b.WriteString(" " + t)
		for _, n := range tagNames[t] {
			b.WriteString(" " + strings.ToLower(n))
		}
	}
	text := b.String()
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func hasTag(p *glpinet.Plugin, tag string) bool {
	for _, t := range p.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// marketTag is a tag offered to browse by, named in the page's language.
type marketTag struct {
	Key, Name string
}

// marketTags lists the catalogue's tags that some plugin carries, named
// in lang (the key when the tag has no name there or in English), and
// every tag's names for the search.
func marketTags(cat *glpinet.Catalogue, lang string) ([]marketTag, map[string][]string) {
	var tags []marketTag
	names := map[string][]string{}
	for _, t := range cat.Tags {
		for _, n := range t.Names {
			names[t.Key] = append(names[t.Key], n)
		}
		if t.Plugins == 0 {
			continue
		}
		name := t.Names[lang]
		if name == "" {
			name = t.Names["en"]
		}
		if name == "" {
			name = t.Key
		}
		tags = append(tags, marketTag{Key: t.Key, Name: name})
	}
	return tags, names
}

// description is p's short and long text in lang, English when it has
// none there (GLPI's own fallback).
func localDescription(descs []glpinet.Description, lang string) glpinet.Description {
	var en glpinet.Description
	for _, d := range descs {
		if d.Lang == lang {
			return d
		}
		if d.Lang == "en" {
			en = d
		}
	}
	if en.Short == "" && len(descs) > 0 {
		return descs[0]
	}
	return en
}
