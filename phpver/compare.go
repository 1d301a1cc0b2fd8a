package phpver

import (
	"math"
	"strings"
)

// Compare returns -1, 0 or 1 as PHP's version_compare($a, $b) does.
//
// It is a literal port of php_version_compare in php-src
// ext/standard/versioning.c, because GLPI decides compatibility with that
// function and the server must reach the same answer byte for byte. The
// rules, in short: both strings are canonicalised (see canonicalize), then
// split on '.' and compared part by part. Two numeric parts compare as
// integers; other parts are ranked by prefix as
// unknown < "dev" < "alpha" = "a" < "beta" = "b" < "RC" = "rc" < number
// < "pl" = "p". When one side runs out of parts, a remaining number makes
// that side greater and a remaining word is ranked against a number, so
// "1.0" < "1.0.0", "1.0rc1" < "1.0" and "1.0" < "1.0pl1".
//
// PHP's quirks are kept on purpose, since GLPI lives with them too:
// the string stops at the first NUL byte (PHP passes a C string), numbers
// saturate at the largest 64-bit integer as strtol does, the ranking is
// case-sensitive ("Rc" is an unknown word), and a version that ends with a
// separator, such as "1.", is not even equal to itself (Compare("1.", "1.")
// is -1). Compare is therefore not a total order on arbitrary strings; it is
// antisymmetric and reflexive for every string whose canonical form does
// not end with '.'.
func Compare(a, b string) int {
	return versionCompare(cString(a), cString(b))
}

// cString cuts s at its first NUL byte, because PHP hands version_compare's
// arguments to C code that stops there.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// versionCompare is php_version_compare. Where the C code walks char
// pointers and overwrites each '.' with NUL, this walks indexes into an
// immutable string: p1/p2 are the starts of the current parts and n1/n2 the
// positions of the dots ending them, -1 standing for NULL.
func versionCompare(orig1, orig2 string) int {
	if orig1 == "" || orig2 == "" {
		switch {
		case orig1 == "" && orig2 == "":
			return 0
		case orig1 != "":
			return 1
		default:
			return -1
		}
	}
	// PHP leaves a version starting with '#' as it is; the recursion below
	// relies on that to compare leftovers with the "#N#" number marker.
	ver1, ver2 := orig1, orig2
	if ver1[0] != '#' {
		ver1 = canonicalize(ver1)
	}
	if ver2[0] != '#' {
		ver2 = canonicalize(ver2)
	}

	p1, p2 := 0, 0
	n1, n2 := 0, 0 // C starts with n = ver, i.e. "not NULL"
	compare := 0
	for p1 < len(ver1) && p2 < len(ver2) && n1 >= 0 && n2 >= 0 {
		n1 = indexFrom(ver1, p1, '.')
		n2 = indexFrom(ver2, p2, '.')
		part1 := partAt(ver1, p1, n1)
		part2 := partAt(ver2, p2, n2)
		d1 := part1 != "" && isDigit(part1[0])
		d2 := part2 != "" && isDigit(part2[0])
		switch {
		case d1 && d2:
			compare = sign(strtol(part1), strtol(part2))
		case !d1 && !d2:
			compare = compareSpecialForms(part1, part2)
		case d1:
			compare = compareSpecialForms("#N#", part2)
		default:
			compare = compareSpecialForms(part1, "#N#")
		}
		if compare != 0 {
			break
		}
		if n1 >= 0 {
			p1 = n1 + 1
		}
		if n2 >= 0 {
			p2 = n2 + 1
		}
	}
	if compare == 0 {
		switch {
		case n1 >= 0:
			if p1 < len(ver1) && isDigit(ver1[p1]) {
				compare = 1
			} else {
				compare = versionCompare(ver1[p1:], "#N#")
			}
		case n2 >= 0:
			if p2 < len(ver2) && isDigit(ver2[p2]) {
				compare = -1
			} else {
				compare = versionCompare("#N#", ver2[p2:])
			}
		}
	}
	return compare
}

// canonicalize is php_canonicalize_version: '-', '_' and '+' become '.',
// a '.' is inserted wherever a digit meets a non-digit, any other
// non-alphanumeric byte becomes '.', and dots never double up. The first
// byte is copied unchanged, as in PHP. ctype is taken in the C locale, which
// PHP 8 uses for LC_CTYPE, so only ASCII letters and digits count.
func canonicalize(v string) string {
	if v == "" {
		return ""
	}
	buf := make([]byte, 1, 2*len(v))
	buf[0] = v[0]
	lp := v[0]
	for i := 1; i < len(v); i++ {
		c := v[i]
		lq := buf[len(buf)-1]
		switch {
		case c == '-' || c == '_' || c == '+':
			if lq != '.' {
				buf = append(buf, '.')
			}
		case (isNonDigit(lp) && isDigit(c)) || (isDigit(lp) && isNonDigit(c)):
			if lq != '.' {
				buf = append(buf, '.')
			}
			buf = append(buf, c)
		case !isAlnum(c):
			if lq != '.' {
				buf = append(buf, '.')
			}
		default:
			buf = append(buf, c)
		}
		lp = c
	}
	return string(buf)
}

// specialForms is PHP's table, in PHP's order: the first entry that is a
// prefix of a part decides its rank, so "alpha" must precede "a" and "pl"
// must precede "p" (which also makes "patch" rank as "p").
var specialForms = [...]struct {
	name  string
	order int
}{
	{"dev", 0},
	{"alpha", 1},
	{"a", 1},
	{"beta", 2},
	{"b", 2},
	{"RC", 3},
	{"rc", 3},
	{"#", 4},
	{"pl", 5},
	{"p", 5},
}

// compareSpecialForms is compare_special_version_forms: both parts are
// ranked by the first table entry they start with, unknown words ranking -1.
func compareSpecialForms(form1, form2 string) int {
	return sign(specialOrder(form1), specialOrder(form2))
}

func specialOrder(form string) int {
	for _, f := range specialForms {
		if strings.HasPrefix(form, f.name) {
			return f.order
		}
	}
	return -1
}

// strtol mirrors strtol(s, NULL, 10) for a part known to start with a digit:
// it reads the leading digits and saturates at LONG_MAX (64-bit on the Linux
// builds GLPI runs on) instead of overflowing.
func strtol(s string) int64 {
	var n int64
	for i := 0; i < len(s) && isDigit(s[i]); i++ {
		d := int64(s[i] - '0')
		if n > (math.MaxInt64-d)/10 {
			return math.MaxInt64
		}
		n = n*10 + d
	}
	return n
}

func sign[T int | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	default:
		return 0
	}
}

// indexFrom is strchr(s+from, c) as an absolute index, -1 for NULL.
func indexFrom(s string, from int, c byte) int {
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return -1
}

// partAt is the NUL-terminated part the C code sees once it has overwritten
// the dot at end (or the rest of the string when end is -1).
func partAt(s string, start, end int) string {
	if end < 0 {
		return s[start:]
	}
	return s[start:end]
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isNonDigit(c byte) bool { return !isDigit(c) && c != '.' }
func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
