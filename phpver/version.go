package phpver

import (
	"regexp"
	"strconv"
	"strings"
)

// versionPattern is Composer's "classical versioning" pattern from
// VersionParser::normalize: up to four numbers, an optional stability
// modifier with its own number, an optional dev flag and build metadata.
// Go's regexp prefers the leftmost alternative as PCRE does, so "beta" is
// tried before "b" and "pl" before "p", as in Composer.
var versionPattern = regexp.MustCompile(`^(?i:v)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?` +
	`[._-]?(?:(?i:(stable|beta|b|rc|alpha|a|patch|pl|p))((?:[.-]?\d+)*))?(?i:([.-]?dev))?` +
	`(?:\+\S+)?$`)

// maxDigits bounds a numeric part so that a bound can be incremented
// without overflow; no real version comes anywhere near it.
const maxDigits = 18

// version is a version as Composer normalises it, kept in pieces so that
// range bounds can be derived from it.
type version struct {
	nums  [4]uint64
	given int // how many numeric parts were written (1..4)
	// pre is the expanded stability ("alpha", "beta", "RC", "patch") with
	// its number, e.g. "beta1"; empty for a stable version.
	pre string
	dev bool
	// modified records that a stability modifier or dev flag was written,
	// "stable" included: Composer then leaves the bound's stability alone.
	modified bool
}

// parseVersion reads one version; reason explains a failure and names the
// offending text.
func parseVersion(s string) (v version, reason string) {
	if v, ok := parsePlain(s); ok {
		return v, ""
	}
	return parsePattern(s)
}

// parsePattern is parseVersion by Composer's pattern, for every shape.
func parsePattern(s string) (v version, reason string) {
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return version{}, strconv.Quote(s) + " is not a valid version"
	}
	for i := 1; i <= 4; i++ {
		if m[i] == "" {
			break
		}
		if len(m[i]) > maxDigits {
			return version{}, "version number " + strconv.Quote(m[i]) + " in " + strconv.Quote(s) + " is too large"
		}
		n, err := strconv.ParseUint(m[i], 10, 64)
		if err != nil { // unreachable: at most maxDigits digits
			return version{}, strconv.Quote(s) + " is not a valid version"
		}
		v.nums[i-1] = n
		v.given = i
	}
	stab, stabNum, dev := strings.ToLower(m[5]), m[6], m[7] != ""
	v.modified = stab != "" || dev
	switch stab {
	case "":
	case "stable":
		// Composer returns "stable" versions bare, dropping even a dev flag.
		return v, ""
	default:
		v.pre = expandStability(stab) + strings.TrimLeft(stabNum, ".-")
	}
	v.dev = dev
	return v, ""
}

// parsePlain reads the common "10.0.16" shape without the regexp, since it
// is what every Check of a GLPI version gets; anything else is left to
// versionPattern.
func parsePlain(s string) (v version, ok bool) {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c) && digits < maxDigits:
			if digits == 0 {
				if v.given == 4 {
					return version{}, false
				}
				v.given++
			}
			v.nums[v.given-1] = v.nums[v.given-1]*10 + uint64(c-'0')
			digits++
		case c == '.' && digits > 0 && i+1 < len(s):
			digits = 0
		default:
			return version{}, false
		}
	}
	return v, digits > 0
}

// expandStability spells a stability the way Composer stores it, so that
// Compare ranks it: "b" and "beta" are both "beta", "p", "pl" and "patch"
// are "patch" (ranked as PHP's "p"), and "rc" is "RC".
func expandStability(s string) string {
	switch s {
	case "a":
		return "alpha"
	case "b":
		return "beta"
	case "p", "pl":
		return "patch"
	case "rc":
		return "RC"
	default:
		return s
	}
}

// String renders the normalised form handed to Compare: always four
// numbers, so that "10.0" and "10.0.0" compare equal, then the suffixes.
func (v version) String() string {
	var b strings.Builder
	for i, n := range v.nums {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(n, 10))
	}
	if v.pre != "" {
		b.WriteByte('-')
		b.WriteString(v.pre)
	}
	if v.dev {
		b.WriteString("-dev")
	}
	return b.String()
}

// bumped is Composer's manipulateVersionString: the numbers up to position
// (1-based) are kept, the one at position is increased by inc, the rest are
// zeroed, and stability is dropped.
func (v version) bumped(position int, inc uint64) version {
	var out version
	out.given = 4
	for i := 0; i < position && i < 4; i++ {
		out.nums[i] = v.nums[i]
	}
	if position >= 1 && position <= 4 {
		out.nums[position-1] += inc
	}
	return out
}

// devBound returns v as the "-dev" flavoured bound Composer builds for
// ranges, the lowest version that still counts as v.
func (v version) devBound() version {
	v.pre, v.dev = "", true
	return v
}
