package pluginarchive

import (
	"html"
	"strings"
	"unicode"

	"github.com/glpinet/glpinet"
)

// SetupInfo is what a plugin's setup.php declares in the array returned by
// plugin_version_<key>(). Every field but Version may be empty.
type SetupInfo struct {
	Name     string // 'name'
	Version  string // 'version'; never empty when ParseSetupPHP succeeds
	Author   string // 'author', with HTML tags removed
	License  string // 'license'
	Homepage string // 'homepage'
	MinGLPI  string // 'requirements' => ['glpi' => ['min' => …]], or legacy 'minGlpiVersion'
	MaxGLPI  string // 'requirements' => ['glpi' => ['max' => …]]
}

// maxSetupPHPSize bounds the setup.php accepted. Real ones are a few KiB;
// the bound keeps the tokenizer's memory small whatever the input.
const maxSetupPHPSize = 256 << 10

// ParseSetupPHP reads the plugin information that src, the content of a
// plugin's setup.php, returns from its function plugin_version_<key>().
//
// The PHP is never executed: it is tokenized by internal/php (leniently:
// as PHP 8 reads it, with short_open_tag on), and the function's returned
// array literal (short [...] or array(...) syntax) is read, resolving the
// constants setup.php defines itself with define() or const, string
// concatenation with ".", and GLPI's translation helpers (__('Name',
// 'key') yields 'Name'). Anything computed at run time (function calls,
// variables, constants defined elsewhere) is treated as absent.
//
// It returns a glpinet.EINVALID error when src is larger than 256 KiB, when
// the function is missing, or when it returns no version that can be read
// this way; everything but the version is optional.
func ParseSetupPHP(src []byte, key string) (SetupInfo, error) {
	if len(src) > maxSetupPHPSize {
		return SetupInfo{}, glpinet.Errorf(glpinet.EINVALID, "setup.php is larger than %s", formatSize(maxSetupPHPSize))
	}
	r := newSetupReader(src)
	r.collectConstants()
	fn := "plugin_version_" + key
	info, found := r.versionArray(fn)
	if !found {
		return SetupInfo{}, glpinet.Errorf(glpinet.EINVALID,
			"setup.php does not define the function %s(), which GLPI calls to get the plugin's name and version", fn)
	}
	glpi := info.Get("requirements").Get("glpi")
	si := SetupInfo{
		Name:     cleanText(text(info.Get("name"))),
		Version:  cleanText(text(info.Get("version"))),
		Author:   cleanText(stripTags(text(info.Get("author")))),
		License:  cleanText(text(info.Get("license"))),
		Homepage: cleanText(text(info.Get("homepage"))),
		MinGLPI:  cleanText(text(glpi.Get("min"))),
		MaxGLPI:  cleanText(text(glpi.Get("max"))),
	}
	if si.MinGLPI == "" {
		// Before GLPI 9.2 the requirement was a top-level key.
		si.MinGLPI = cleanText(text(info.Get("minGlpiVersion")))
	}
	if si.Version == "" {
		return SetupInfo{}, glpinet.Errorf(glpinet.EINVALID,
			"%s() in setup.php declares no version that can be read without running PHP: its returned array must have a 'version' that is a string or a constant defined in setup.php", fn)
	}
	return si, nil
}

// cleanText makes a declared value safe to store and display: valid UTF-8,
// no control characters, whitespace runs collapsed to single spaces.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// stripTags removes HTML tags and decodes entities: plugin authors are
// often written as links, e.g. '<a href="https://teclib.com">Teclib&#039;</a>'.
// Tags that break lines become spaces so that the words they separate stay
// apart; inline tags disappear.
func stripTags(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '<' && i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!') {
			if end := strings.IndexByte(s[i:], '>'); end >= 0 {
				if breaksLine(s[i+1 : i+end]) {
					b.WriteByte(' ')
				}
				i += end
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return html.UnescapeString(b.String())
}

// breaksLine reports whether the tag with the given content (between "<"
// and ">") starts or ends a line.
func breaksLine(tag string) bool {
	name := strings.ToLower(strings.TrimPrefix(tag, "/"))
	if i := strings.IndexAny(name, " \t\n/"); i >= 0 {
		name = name[:i]
	}
	switch name {
	case "br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "hr":
		return true
	}
	return false
}
