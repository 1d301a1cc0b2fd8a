package phpver

import (
	"strings"
	"testing"
)

// phpSrcCompareCases are the comparisons of php-src's own test,
// ext/standard/tests/versioning/version_compare.phpt ("TESTING COMPARE"),
// with PHP's expected answers.
var phpSrcCompareCases = func() []compareCase {
	cases := []compareCase{
		{"1", "2", -1},
		{"10", "2", 1},
		{"1.0", "1.1", -1},
		{"1.2", "1.0.1", 1},
	}
	// Ranks in the phpt's order; "1.0RC1" and "1.0rc1" are equal.
	forms := []struct {
		suffix string
		rank   int
	}{{"-dev", 0}, {"a1", 1}, {"b1", 2}, {"RC1", 3}, {"rc1", 3}, {"", 4}, {"pl1", 5}}
	for _, f1 := range forms {
		for _, f2 := range forms {
			cases = append(cases, compareCase{"1.0" + f1.suffix, "1.0" + f2.suffix, sign(f1.rank, f2.rank)})
		}
	}
	return cases
}()

type compareCase struct {
	a, b string
	want int
}

// moreCompareCases are worked out step by step from php-src's algorithm.
var moreCompareCases = []compareCase{
	// The cases the server relies on.
	{"1.0", "1.0.0", -1},
	{"1.0.0", "1.0", 1},
	{"1.0rc1", "1.0", -1},
	{"1.0", "1.0pl1", -1},
	{"1.0.0-dev", "1.0.0", -1},
	{"10.0.16", "10.0.9", 1},
	{"10.0.16", "10.0.16", 0},
	{"5.2", "5.10", -1},
	{"11.0.0-rc2", "11.0.0", -1},
	{"11.0.0-rc2", "11.0.0-rc10", -1},
	{"11.0.0", "10.99.99", 1},
	{"10.0.0.0", "10.0.0", 1},
	{"10.0.0.0-dev", "10.0.0.0", -1},
	{"10.0.0.0-RC2", "10.0.0.0-dev", 1},
	{"11.0.0.0", "11.0.0.0-dev", 1},
	{"9.4.1.1", "9.4.1", 1},
	// Separators and spelling.
	{"1_0", "1.0", 0},
	{"1+0", "1.0", 0},
	{"1-0", "1.0", 0},
	{"1.01", "1.1", 0}, // numbers, not strings
	{"1.0-alpha", "1.0a", 0},
	{"1.0-beta", "1.0b", 0},
	{"1.0-RC1", "1.0rc1", 0},
	{"1.0.dev", "1.0-dev", 0},
	{"1.0-p1", "1.0-pl1", 0},
	{"1.0-patch1", "1.0", 1}, // "patch" starts with "p"
	{"1.0-patch1", "1.0-pl1", 0},
	{"1.0b1", "1.0beta2", -1},
	{"1.0a10", "1.0a9", 1},
	{"1.0-alpha", "1.0-alpha.1", -1},
	{"1.0.0-alpha", "1.0.0-dev.1", 1},
	{"1.0-dev", "1.0-alpha", -1},
	// Unknown words rank below "dev"; ranking is case-sensitive.
	{"1.0-foo", "1.0-dev", -1},
	{"1.0-foo", "1.0-xyz", 0},
	{"1.0-bar", "1.0-beta", 0}, // prefix match: "bar" ranks as "b"
	{"1.0-Rc1", "1.0-dev", -1},
	{"1.0DEV", "1.0-dev", -1},
	{"v1.0", "1.0", -1}, // "v" is an unknown word against the number 1
	{"1.0", "1.0a", 1},
	// Empty strings.
	{"", "", 0},
	{"", "1", -1},
	{"1", "", 1},
	{"", "dev", -1},
	// '#' marks a number and a leading '#' skips canonicalisation.
	{"#1", "#1", 0},
	{"1.0#", "1.0", 0},
	{"1.0#1", "1.0", 1},
	// strtol saturates at LONG_MAX (64-bit Linux).
	{"99999999999999999999", "99999999999999999998", 0},
	{"9223372036854775807", "9223372036854775806", 1},
	// A NUL byte ends a C string.
	{"1.0\x00garbage", "1.0", 0},
	// PHP quirks with trailing separators: an empty last part is compared
	// as "" against "#N#", so "1." is below "1" and even below itself.
	{"1.", "1.", -1},
	{"1.0", "1.0-", 1},
	{"1.0-", "1.0", -1},
	{"1.0 ", "1.0", -1}, // "1.0 " canonicalises to "1.0. "
}

func TestCompare(t *testing.T) {
	cases := append(append([]compareCase{}, phpSrcCompareCases...), moreCompareCases...)
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		if got := Compare(tc.a, tc.b); got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCanonicalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"1.0.0", "1.0.0"},
		{"1.0rc1", "1.0.rc.1"},
		{"1.0-dev", "1.0.dev"},
		{"1.0.0-beta.2", "1.0.0.beta.2"},
		{"1_0+1", "1.0.1"},
		{"1..2", "1.2"},
		{"1.0pl1", "1.0.pl.1"},
		{"1.0#", "1.0.#"},   // a digit/non-digit transition keeps the byte
		{"a#", "a."},        // otherwise a non-alphanumeric byte becomes '.'
		{"-1", "-.1"},       // the first byte is copied unchanged
		{"1.0 ", "1.0. "},   // ditto for a blank after a digit
		{"v10.0", "v.10.0"}, // a prefix is a part of its own
	} {
		if got := canonicalize(tc.in); got != tc.want {
			t.Errorf("canonicalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// phpConsistent reports whether PHP's version_compare is reflexive and
// antisymmetric for s: it is unless the canonical form ends with '.', whose
// empty last part PHP compares unevenly (see the quirk cases above).
func phpConsistent(s string) bool {
	s = cString(s)
	if s != "" && s[0] != '#' {
		s = canonicalize(s)
	}
	return !strings.HasSuffix(s, ".")
}

func FuzzCompare(f *testing.F) {
	for _, tc := range append(append([]compareCase{}, phpSrcCompareCases...), moreCompareCases...) {
		f.Add(tc.a, tc.b)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := Compare(a, b), Compare(b, a) // must not panic
		if ab < -1 || ab > 1 {
			t.Fatalf("Compare(%q, %q) = %d, not in -1..1", a, b, ab)
		}
		if !phpConsistent(a) || !phpConsistent(b) {
			return
		}
		if ab != -ba {
			t.Errorf("Compare(%q, %q) = %d but Compare(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if got := Compare(a, a); got != 0 {
			t.Errorf("Compare(%q, %q) = %d, want 0", a, a, got)
		}
	})
}

func BenchmarkCompare(b *testing.B) {
	for b.Loop() {
		Compare("10.0.16", "10.0.0.0-dev")
	}
}
