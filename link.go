package glpinet

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLinkLength is the longest link a catalogue entry may hold, in bytes.
const MaxLinkLength = 2048

// CheckLink reports an EINVALID error naming field when value cannot be
// offered as a link: GLPI's marketplace puts plugin links in <a href> and
// <img src> after HTML-escaping only, so a javascript: or data: address
// would run in the GLPI administrator's session. A link is empty, or an
// absolute http:// or https:// address with a host, of at most
// MaxLinkLength bytes, without spaces or control characters anywhere.
func CheckLink(field, value string) error {
	if value == "" {
		return nil
	}
	if len(value) > MaxLinkLength {
		return Errorf(EINVALID, "The %s is longer than %d bytes: it must be an http:// or https:// address of at most %d bytes.",
			field, MaxLinkLength, MaxLinkLength)
	}
	if !linkChars(value) {
		return Errorf(EINVALID, "The %s %q contains spaces or invisible characters: it must be an http:// or https:// address (encode spaces as %%20).",
			field, value)
	}
	u, err := url.Parse(value)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
		return Errorf(EINVALID, "The %s %q must be an http:// or https:// address, such as https://example.com/.", field, value)
	}
	return nil
}

// SafeLink returns value when CheckLink accepts it, and "" otherwise: for
// serving links stored before they were checked.
func SafeLink(value string) string {
	if CheckLink("link", value) != nil {
		return ""
	}
	return value
}

// linkChars reports whether s is valid UTF-8 without whitespace, control
// or format characters: browsers drop some of them anywhere in a URL, and
// others hide what a link really says.
func linkChars(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
