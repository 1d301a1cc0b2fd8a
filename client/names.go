package client

// Plugin keys and version strings come from the server (and versions
// also from an archive's setup.php) and end up in URLs, file names and
// messages: only the strict forms below are used.

// maxVersionLen bounds a version string; real ones are under 20 bytes.
const maxVersionLen = 64

// ValidPluginKey reports whether s is a plugin key as GLPI requires it:
// ^[a-z0-9]+$ (it names the plugin's directory), at most 64 bytes.
func ValidPluginKey(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// ValidVersion reports whether s is a version string of the forms PHP's
// version_compare and Composer read (1.0.0, 2.1.0-rc1, 1.0.0+build.5,
// v3_2): letters, digits and . - + _ ~, starting with a letter or digit,
// no "..", at most 64 bytes. Nothing that could change a URL's path.
func ValidVersion(s string) bool {
	if s == "" || len(s) > maxVersionLen || !isAlnum(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlnum(c), c == '-', c == '+', c == '_', c == '~':
		case c == '.':
			if i+1 < len(s) && s[i+1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
