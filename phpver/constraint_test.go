package phpver

import (
	"errors"
	"strings"
	"testing"
)

var opNames = map[operator]string{opEQ: "==", opNE: "!=", opLT: "<", opLE: "<=", opGT: ">", opGE: ">="}

// describe renders the parsed bounds, e.g. ">=10.0.0.0-dev <11.0.0.0-dev".
func describe(c Constraint) string {
	if len(c.alts) == 0 {
		return "*"
	}
	var alts []string
	for _, alt := range c.alts {
		if len(alt) == 0 {
			alts = append(alts, "*")
			continue
		}
		var bs []string
		for _, b := range alt {
			bs = append(bs, opNames[b.op]+b.ver)
		}
		alts = append(alts, strings.Join(bs, " "))
	}
	return strings.Join(alts, " || ")
}

// TestParseConstraintBounds pins the bounds to what Composer's
// VersionParser::parseConstraints builds for the same text.
func TestParseConstraintBounds(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "*"},
		{"   ", "*"},
		{"*", "*"},
		{"x", "*"},
		{"@dev", "*"},
		{"*@stable", "*"},
		{"*.*", ">=0.0.0.0-dev"},
		{"v*", ">=0.0.0.0-dev"},
		// Exact and comparisons.
		{"10.0.3", "==10.0.3.0"},
		{"=10.0.3", "==10.0.3.0"},
		{"==10.0.3", "==10.0.3.0"},
		{"v10.0.3", "==10.0.3.0"},
		{"10.0.3+build.7", "==10.0.3.0"},
		{"10.0", "==10.0.0.0"},
		{">=10.0", ">=10.0.0.0-dev"},
		{">10.0", ">10.0.0.0"},
		{"<11.0", "<11.0.0.0-dev"},
		{"<=10.5", "<=10.5.0.0"},
		{"!=10.0.3", "!=10.0.3.0"},
		{"<>10.0.3", "!=10.0.3.0"},
		{">= 10.0", ">=10.0.0.0-dev"},
		{">=10.0-beta1", ">=10.0.0.0-beta1"},
		{"<11.0-dev", "<11.0.0.0-dev"},
		{"<11.0.0-RC1", "<11.0.0.0-RC1"},
		{">=10.0@dev", ">=10.0.0.0-dev"},
		{"10.0.0-b2", "==10.0.0.0-beta2"},
		{"10.0.0-rc.2", "==10.0.0.0-RC2"},
		{"10.0.0-pl1", "==10.0.0.0-patch1"},
		{"10.0.0-stable", "==10.0.0.0"},
		{"10.0.0-beta1-dev", "==10.0.0.0-beta1-dev"},
		// Tilde.
		{"~10.0", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{"~10.0.0", ">=10.0.0.0-dev <10.1.0.0-dev"},
		{"~10", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{"~1.2.3.4", ">=1.2.3.4-dev <1.2.4.0-dev"},
		{"~10.0-beta2", ">=10.0.0.0-beta2 <11.0.0.0-dev"},
		// Caret.
		{"^10.0.10", ">=10.0.10.0-dev <11.0.0.0-dev"},
		{"^0.3", ">=0.3.0.0-dev <0.4.0.0-dev"},
		{"^0.0.3", ">=0.0.3.0-dev <0.0.4.0-dev"},
		{"^0.0", ">=0.0.0.0-dev <0.1.0.0-dev"},
		{"^0", ">=0.0.0.0-dev <1.0.0.0-dev"},
		{"^1.2.3-RC1", ">=1.2.3.0-RC1 <2.0.0.0-dev"},
		// Wildcards.
		{"10.0.*", ">=10.0.0.0-dev <10.1.0.0-dev"},
		{"10.*", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{"10.x", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{"10.*.*", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{"1.2.3.*", ">=1.2.3.0-dev <1.2.4.0-dev"},
		{"0.*", "<1.0.0.0-dev"},
		// Hyphen ranges.
		{"1.0 - 2.0", ">=1.0.0.0-dev <2.1.0.0-dev"},
		{"10.0 - 10.5", ">=10.0.0.0-dev <10.6.0.0-dev"},
		{"1 - 2", ">=1.0.0.0-dev <3.0.0.0-dev"},
		{"1.0.0 - 2.1.0", ">=1.0.0.0-dev <=2.1.0.0"},
		{"1.0 - 2.0-beta", ">=1.0.0.0-dev <=2.0.0.0-beta"},
		{"1.0-RC1 - 2.0", ">=1.0.0.0-RC1 <2.1.0.0-dev"},
		// AND and OR.
		{">=10.0 <11.0", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{">=10.0, <11.0", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{">=10.0,<11.0", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{">=10.0 , <11.0", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{"  >= 10.0   < 11.0  ", ">=10.0.0.0-dev <11.0.0.0-dev"},
		{"~9.5 || ~10.0", ">=9.5.0.0-dev <10.0.0.0-dev || >=10.0.0.0-dev <11.0.0.0-dev"},
		{"~9.5|~10.0", ">=9.5.0.0-dev <10.0.0.0-dev || >=10.0.0.0-dev <11.0.0.0-dev"},
		{"1.0 - 2.0 || >=3.0 <4.0, !=3.5", ">=1.0.0.0-dev <2.1.0.0-dev || >=3.0.0.0-dev <4.0.0.0-dev !=3.5.0.0"},
		{"* >=10.0", ">=10.0.0.0-dev"},
		{"~10.0 || *", ">=10.0.0.0-dev <11.0.0.0-dev || *"},
	} {
		c, err := ParseConstraint(tc.in)
		if err != nil {
			t.Errorf("ParseConstraint(%q): %v", tc.in, err)
			continue
		}
		if got := describe(c); got != tc.want {
			t.Errorf("ParseConstraint(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if got, want := c.String(), strings.TrimSpace(tc.in); got != want {
			t.Errorf("ParseConstraint(%q).String() = %q, want %q", tc.in, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		constraint, version string
		want                bool
	}{
		// The examples of the specification.
		{"~10.0", "10.0.16", true},
		{"~10.0", "11.0.0", false},
		{"~11.0", "11.0.4", true},
		{"^10.0.10", "10.0.16", true},
		{"^10.0.10", "10.0.9", false},
		{">=10.0 <11.0", "10.5.2", true},
		{">=10.0, <11.0", "11.0.0", false},
		// Partial versions mean their ".0" padding.
		{"10.0", "10.0.0", true},
		{"10.0.0", "10.0", true},
		{"=10.0.3", "10.0.3", true},
		{"10.0.3", "10.0.4", false},
		{">=10.0", "10.0.0", true},
		{">=10.0", "9.5.13", false},
		{">10.0", "10.0.0", false},
		{">10.0", "10.0.1", true},
		{"<11.0", "10.99.99", true},
		{"<11.0", "11.0.0", false},
		{"<=10.5", "10.5.0", true},
		{"<=10.5", "10.5.1", false},
		{"!=10.0.3", "10.0.3", false},
		{"<>10.0.3", "10.0.4", true},
		{"~10.0.0", "10.0.16", true},
		{"~10.0.0", "10.1.0", false},
		{"~10", "10.9.0", true},
		{"~10", "11.0.0", false},
		{"~10", "9.5.0", false},
		{"^0.3", "0.3.9", true},
		{"^0.3", "0.4.0", false},
		{"^0.0.3", "0.0.3", true},
		{"^0.0.3", "0.0.4", false},
		{"10.0.*", "10.0.16", true},
		{"10.0.*", "10.1.0", false},
		{"10.*", "10.5.0", true},
		{"10.*", "11.0.0", false},
		{"*", "11.0.0", true},
		{"*", "not a version", true},
		{"", "anything", true},
		{"1.0 - 2.0", "2.0.9", true},
		{"1.0 - 2.0", "2.1.0", false},
		{"1.0 - 2.0", "0.9.9", false},
		{"1.0.0 - 2.1.0", "2.1.0", true},
		{"1.0.0 - 2.1.0", "2.1.1", false},
		{"~9.5 || ~10.0", "9.5.13", true},
		{"~9.5 || ~10.0", "10.0.16", true},
		{"~9.5 || ~10.0", "11.0.0", false},
		{"~9.5|~11.0", "10.0.16", false},
		{">=10.0 <11.0 !=10.0.3", "10.0.3", false},
		{">=10.0 <11.0 !=10.0.3", "10.0.2", true},
		// Versions to check may look like constraint versions.
		{"~10.0", "v10.0.16", true},
		{"~10.0", " 10.0.16 ", true},
		{"~10.0", "10.0.16.1", true},
		{"~10.0", "10.0", true},
		{"~10.0", "10", true},
		{"~10.0", "10.0.16+build", true},
		// Pre-releases, Composer style: those of an excluded version stay out.
		{"~10.0", "10.0.0-rc1", true},
		{"~10.0", "11.0.0-rc1", false},
		{"<11.0", "11.0.0-dev", false},
		{">=11.0", "11.0.0-beta", true},
		{">11.0", "11.0.0-rc2", false},
		{"=11.0.0", "11.0.0-rc2", false},
		{">=10.0.0-RC1", "10.0.0-RC2", true},
		{">=10.0.0-RC1", "10.0.0-beta2", false},
		{"10.0.0-stable", "10.0.0", true},
		// Not versions.
		{"~10.0", "", false},
		{"~10.0", "ten", false},
		{"~10.0", "10.0.16 (installation-mode:TARBALL)", false},
		{">=0", "dev-main", false},
	} {
		c, err := ParseConstraint(tc.constraint)
		if err != nil {
			t.Errorf("ParseConstraint(%q): %v", tc.constraint, err)
			continue
		}
		if got := c.Check(tc.version); got != tc.want {
			t.Errorf("ParseConstraint(%q).Check(%q) = %v, want %v (bounds %s)", tc.constraint, tc.version, got, tc.want, describe(c))
		}
	}
}

func TestParsePlainAgreesWithPattern(t *testing.T) {
	for _, s := range []string{"0", "10", "10.0", "10.0.16", "9.4.1.1", "010.00.01", "999999999999999999.1"} {
		fast, ok := parsePlain(s)
		slow, reason := parsePattern(s)
		if !ok || reason != "" || fast != slow {
			t.Errorf("%q: parsePlain = %+v, %v; parsePattern = %+v, %q", s, fast, ok, slow, reason)
		}
	}
	for _, s := range []string{"", ".", "10.", ".10", "10..0", "1.2.3.4.5", "v10.0", "10.0-dev", "1234567890123456789"} {
		if v, ok := parsePlain(s); ok {
			t.Errorf("parsePlain(%q) = %+v, want it left to the pattern", s, v)
		}
	}
}

func TestZeroConstraintMatchesAll(t *testing.T) {
	var c Constraint
	if !c.Check("10.0.16") || !c.Check("") || c.String() != "" {
		t.Errorf("zero Constraint: Check = %v, %v; String = %q", c.Check("10.0.16"), c.Check(""), c.String())
	}
}

func TestParseConstraintErrors(t *testing.T) {
	for _, tc := range []struct {
		in, token, msg string
	}{
		{"foo", "foo", `invalid version constraint "foo": "foo" is not a valid version or version constraint (expected e.g. 10.0.3, >=10.0, ~10.0, ^10.0.10, 10.0.*)`},
		{">=10.0 <foo", "<foo", `invalid version constraint ">=10.0 <foo": in "<foo", "foo" is not a valid version`},
		{">= foo", ">= foo", `in ">= foo", "foo" is not a valid version`},
		{"~>10.0", "~>10.0", `invalid operator "~>" in "~>10.0", you probably meant "~"`},
		{"~ 10.0", "~", `operator "~" is not followed by a version`},
		{">=", ">=", `operator ">=" is not followed by a version`},
		{">=10.0 <", "<", `operator "<" is not followed by a version`},
		{">=, 10.0", ">=", `operator ">=" is not followed by a version`},
		{"^", "^", `operator "^" is not followed by a version`},
		{"10.0@foo", "10.0@foo", `unknown stability flag "@foo" in "10.0@foo"`},
		{">=@dev", ">=@dev", `operator ">=" is not followed by a version`},
		{"~10.0 ||", "||", `empty alternative`},
		{"|| ~10.0", "||", `empty alternative`},
		{"~10.0 ||| ~11.0", "||", `empty alternative`},
		{">=10.0,,<11.0", ",", `empty constraint between two commas`},
		{", >=10.0", ",", `starts with a comma`},
		{">=10.0,", ",", `ends with a comma`},
		{"1.0 -", "-", `misplaced "-"`},
		{"1.0 -2.0", "-2.0", `"-2.0" is not a valid version`},
		{">= 1.0 - 2.0", "-", `misplaced "-"`},
		{">=1.0 - 2.0", ">=1.0 - 2.0", `in hyphen range ">=1.0 - 2.0", ">=1.0" is not a valid version`},
		{"~1.0 - 2.0", "~1.0 - 2.0", `in hyphen range "~1.0 - 2.0", "~1.0" is not a valid version`},
		{"1.0 - 2.x", "1.0 - 2.x", `in hyphen range "1.0 - 2.x", "2.x" is not a valid version`},
		{"dev-main", "dev-main", `"dev-main" is not a valid version`},
		{"1.0 as 2.0", "as", `"as" is not a valid version`},
		{"=*", "=*", `"*" is not a valid version`},
		{"~1.*", "~1.*", `"1.*" is not a valid version`},
		{"1.2.3.4.5", "1.2.3.4.5", `not a valid version`},
		{"1.0.0-1", "1.0.0-1", `not a valid version`},
		{"1234567890123456789", "1234567890123456789", `version number "1234567890123456789" in "1234567890123456789" is too large`},
		{"1234567890123456789.*", "1234567890123456789.*", `is too large`},
	} {
		_, err := ParseConstraint(tc.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseConstraint(%q) error = %v, want a *ParseError", tc.in, err)
			continue
		}
		if pe.Token != tc.token {
			t.Errorf("ParseConstraint(%q) token = %q, want %q", tc.in, pe.Token, tc.token)
		}
		if pe.Constraint != strings.TrimSpace(tc.in) {
			t.Errorf("ParseConstraint(%q) constraint = %q", tc.in, pe.Constraint)
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseConstraint(%q) error = %q, want it to contain %q", tc.in, err.Error(), tc.msg)
		}
	}
}

// probes are versions on both sides of the bounds the fuzz corpus uses.
var probes = []string{
	"0.0.1", "0.3.0", "1.0.0", "1.0.0-dev", "2.0.5", "9.2", "9.5.13",
	"10.0.0", "10.0.0-rc1", "10.0.16", "10.5.2", "11.0.0", "11.0.0-rc2",
	"11.0.4", "v12.1.0", "not a version",
}

func FuzzParseConstraint(f *testing.F) {
	for _, s := range []string{
		"", "*", "~10.0", "^10.0.10", ">=10.0 <11.0", ">=10.0, <11.0",
		"10.0.*", "1.0 - 2.0", "~9.5 || ~10.0", "~9.5|~10.0", ">= 10.0@dev",
		"!=10.0.3", "<>10.0.3", "10.0.0-RC2", "v10.0.3+build", "foo", ",",
		"~>1.0", "1.0 -", "||", "0.*", "*.*",
	} {
		f.Add(s, "10.0.16")
	}
	for _, p := range probes {
		f.Add("~10.0", p)
	}
	f.Fuzz(func(t *testing.T, s, v string) {
		c, err := ParseConstraint(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseConstraint(%q): empty error message", s)
			}
			return
		}
		c.Check(v) // must not panic
		if fast, ok := parsePlain(v); ok {
			if slow, reason := parsePattern(v); reason != "" || slow != fast {
				t.Errorf("parsePlain(%q) = %+v, parsePattern = %+v, %q", v, fast, slow, reason)
			}
		}
		again, err := ParseConstraint(c.String())
		if err != nil {
			t.Fatalf("ParseConstraint(%q) re-parsing %q: %v", s, c.String(), err)
		}
		for _, p := range append(probes, v) {
			if c.Check(p) != again.Check(p) {
				t.Errorf("ParseConstraint(%q) and its String %q disagree on %q", s, c.String(), p)
			}
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	c, err := ParseConstraint(">=9.5 <10.0 || ~10.0")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c.Check("10.0.16")
	}
}

func BenchmarkCheckGLPI(b *testing.B) {
	c, err := ParseConstraint("~11.0")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		CheckGLPI(c, "11.0.0-rc2")
	}
}
