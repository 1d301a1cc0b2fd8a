package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Catalog is one surface's texts: message id → text, per language.
type Catalog struct {
	fallback string
	texts    map[string]map[string]string
}

// Load reads every "<lang>.json" file in dir of fsys (a flat JSON object
// of id → text). fallback names the language whose text stands in for a
// missing translation; it must be among the files.
func Load(fsys fs.FS, dir, fallback string) (*Catalog, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	c := &Catalog{fallback: fallback, texts: map[string]map[string]string{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		texts := map[string]string{}
		if err := json.Unmarshal(b, &texts); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		c.texts[strings.TrimSuffix(path.Base(name), ".json")] = texts
	}
	if _, ok := c.texts[fallback]; !ok {
		return nil, fmt.Errorf("%s: no %s.json for the fallback language", dir, fallback)
	}
	return c, nil
}

// MustLoad is Load for catalogs embedded in the binary, where an error is
// a bug caught by the first test.
func MustLoad(fsys fs.FS, dir, fallback string) *Catalog {
	c, err := Load(fsys, dir, fallback)
	if err != nil {
		panic(err)
	}
	return c
}

// Text returns the text id in lang, else in the fallback language, else
// the id itself (a missing translation shows rather than breaks a page).
func (c *Catalog) Text(lang, id string) string {
	if t, ok := c.texts[lang][id]; ok {
		return t
	}
	if t, ok := c.texts[c.fallback][id]; ok {
		return t
	}
	return id
}

// Has reports whether lang has its own text for id.
func (c *Catalog) Has(lang, id string) bool {
	_, ok := c.texts[lang][id]
	return ok
}

// Languages returns the catalog's languages, sorted.
func (c *Catalog) Languages() []string {
	out := make([]string, 0, len(c.texts))
	for l := range c.texts {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// IDs returns the ids lang has a text for, sorted.
func (c *Catalog) IDs(lang string) []string {
	out := make([]string, 0, len(c.texts[lang]))
	for id := range c.texts[lang] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
