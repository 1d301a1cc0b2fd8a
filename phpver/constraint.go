package phpver

import (
	"regexp"
	"strconv"
	"strings"
)

// Constraint is a parsed Composer version constraint, such as a plugin
// version's GLPI "compatibility" field. It is a list of alternatives (||),
// each a list of bounds that must all hold.
//
// The zero Constraint, like the one parsed from an empty string, has no
// bounds and matches everything. A Constraint is immutable once parsed, so
// one parsed copy can be cached and shared by concurrent requests.
type Constraint struct {
	text string
	// alts are the || alternatives; an alternative without bounds (from
	// "*") matches everything, and so does a Constraint without alts.
	alts [][]bound
}

// bound is one comparison of the checked version against a normalised
// version, which is pre-rendered so that Check only renders the version.
type bound struct {
	op  operator
	ver string
}

// operator is a comparison applied to Compare(version, bound).
type operator uint8

const (
	opEQ operator = iota
	opNE
	opLT
	opLE
	opGT
	opGE
)

func (o operator) holds(cmp int) bool {
	switch o {
	case opEQ:
		return cmp == 0
	case opNE:
		return cmp != 0
	case opLT:
		return cmp < 0
	case opLE:
		return cmp <= 0
	case opGT:
		return cmp > 0
	default: // opGE
		return cmp >= 0
	}
}

// ParseError explains why a constraint was rejected. Plugin publishers see
// its message, so it quotes the whole constraint and names the piece that
// is wrong rather than merely failing.
type ParseError struct {
	// Constraint is the rejected text, trimmed.
	Constraint string
	// Token is the offending piece of Constraint.
	Token string
	// Reason says what is wrong with Token, in a sentence fragment.
	Reason string
}

// Error formats the message shown to publishers.
func (e *ParseError) Error() string {
	return "invalid version constraint " + strconv.Quote(e.Constraint) + ": " + e.Reason
}

// ParseConstraint parses a Composer version constraint. Supported, with
// Composer's meaning:
//
//	10.0.3  =10.0.3  ==10.0.3           exactly that version
//	>=10.0  >10.0  <11.0  <=10.5  !=10.0.3  <>10.0.3
//	~10.0    >=10.0 <11.0      ~10.0.0  >=10.0.0 <10.1.0   ~10  >=10 <11
//	^10.0.10 >=10.0.10 <11.0.0 ^0.3     >=0.3 <0.4         ^0.0.3 >=0.0.3 <0.0.4
//	10.0.*   >=10.0 <10.1      10.*     >=10 <11           *  anything
//	10.0 - 10.5    >=10.0 <10.6 (a partial upper end covers its whole series)
//	10.0.0 - 10.5.2  >=10.0.0 <=10.5.2
//	a b  or  a, b   both a and b
//	a || b  or  a | b   a or b
//
// An operator may be separated from its version by spaces (">= 10.0").
// Versions may carry a "v" prefix, stability suffixes ("-dev", "-beta1",
// "-RC2") and "+build" metadata; "@stable"-style flags are removed without
// effect (on their own, "@dev" means "*"). Dev branches ("dev-main") and
// aliases ("as") are not supported, as they cannot describe a GLPI release;
// date-like versions are read as plain numbers.
//
// An empty or blank s is not an error: it yields a Constraint that matches
// every version, so that a plugin version without a compatibility statement
// stays installable. Any other unparseable s returns a *ParseError.
func ParseConstraint(s string) (Constraint, error) {
	text := strings.TrimSpace(s)
	c := Constraint{text: text}
	if text == "" {
		return c, nil
	}
	p := parser{text: text}
	for _, alt := range splitOr(text) {
		if alt == "" {
			return Constraint{}, p.fail("||", `empty alternative next to "|" or "||"`)
		}
		bounds, err := p.parseAlternative(alt)
		if err != nil {
			return Constraint{}, err
		}
		c.alts = append(c.alts, bounds)
	}
	return c, nil
}

// String returns the constraint as it was written, trimmed, which is both
// what a publisher recognises and text that parses back to the same
// constraint.
func (c Constraint) String() string {
	return c.text
}

// Check reports whether version satisfies c, comparing with [Compare] after
// normalising version like the constraint's own versions (see the package
// documentation). version may carry a "v" prefix and stability suffixes;
// one that is not a version at all fails every constraint except those
// without bounds (empty, "*"), which accept any string.
//
// A GLPI version should go through [CheckGLPI] instead, which drops a
// pre-release flag first, as GLPI does.
func (c Constraint) Check(version string) bool {
	if len(c.alts) == 0 {
		return true
	}
	for _, alt := range c.alts {
		if len(alt) == 0 {
			return true
		}
	}
	v, reason := parseVersion(strings.TrimSpace(version))
	if reason != "" {
		return false
	}
	vs := v.String()
	for _, alt := range c.alts {
		if matchesAll(vs, alt) {
			return true
		}
	}
	return false
}

func matchesAll(v string, bounds []bound) bool {
	for _, b := range bounds {
		if !b.op.holds(Compare(v, b.ver)) {
			return false
		}
	}
	return true
}

// splitOr splits on "|" or "||" with any surrounding blanks, as Composer's
// preg_split('{\s*\|\|?\s*}') does; "|||" thus leaves an empty alternative.
func splitOr(s string) []string {
	var alts []string
	for {
		i := strings.IndexByte(s, '|')
		if i < 0 {
			return append(alts, strings.TrimSpace(s))
		}
		alts = append(alts, strings.TrimSpace(s[:i]))
		s = s[i+1:]
		s = strings.TrimPrefix(s, "|")
	}
}

// parser carries the full text so every error can quote it.
type parser struct {
	text string
}

func (p parser) fail(token, reason string) *ParseError {
	return &ParseError{Constraint: p.text, Token: token, Reason: reason}
}

// comparators are the operators that may stand apart from their version,
// longest first so that ">=" is not read as ">".
var comparators = []string{"<>", "!=", ">=", "<=", "==", ">", "<", "="}

// wordOperators are the prefixes a term may start with.
var wordOperators = append([]string{"~", "^"}, comparators...)

// parseAlternative splits one || alternative into terms separated by blanks
// and/or one comma, joining an operator to the version after it and
// "a - b" into a hyphen range, then parses each term.
func (p parser) parseAlternative(alt string) ([]bound, error) {
	var bounds []bound
	afterComma, terms := false, 0
	i := skipBlanks(alt, 0)
	for i < len(alt) {
		if alt[i] == ',' {
			if terms == 0 {
				return nil, p.fail(",", `constraint starts with a comma`)
			}
			if afterComma {
				return nil, p.fail(",", `empty constraint between two commas`)
			}
			afterComma = true
			i = skipBlanks(alt, i+1)
			continue
		}
		start := i
		end := wordEnd(alt, i)
		word := alt[start:end]
		var bs []bound
		var err error
		switch {
		case word == "-":
			return nil, p.fail(word, `misplaced "-": a hyphen range is written like "10.0 - 10.5", between two plain versions`)
		case isComparator(word):
			k := skipBlanks(alt, end)
			if k == len(alt) || alt[k] == ',' {
				return nil, p.fail(word, "operator "+strconv.Quote(word)+" is not followed by a version")
			}
			end = wordEnd(alt, k)
			bs, err = p.parseTerm(alt[start:end], word, alt[k:end])
		default:
			if to, toEnd, ok := hyphenUpper(alt, end); ok {
				bs, err = p.parseHyphen(alt[start:toEnd], word, to)
				end = toEnd
			} else {
				bs, err = p.parseWord(word)
			}
		}
		if err != nil {
			return nil, err
		}
		bounds = append(bounds, bs...)
		terms++
		afterComma = false
		i = skipBlanks(alt, end)
	}
	if afterComma {
		return nil, p.fail(",", `constraint ends with a comma`)
	}
	if bounds == nil {
		bounds = []bound{} // "*" only: an alternative that matches everything
	}
	return bounds, nil
}

// hyphenUpper recognises " - upper" after a word ending at i; Composer
// requires blanks on both sides of the hyphen.
func hyphenUpper(s string, i int) (upper string, end int, ok bool) {
	j := skipBlanks(s, i)
	if j == i || j+1 >= len(s) || s[j] != '-' || !isBlank(s[j+1]) {
		return "", 0, false
	}
	k := skipBlanks(s, j+1)
	if k == len(s) || s[k] == ',' {
		return "", 0, false
	}
	end = wordEnd(s, k)
	return s[k:end], end, true
}

func isComparator(w string) bool {
	for _, c := range comparators {
		if w == c {
			return true
		}
	}
	return false
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func skipBlanks(s string, i int) int {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return i
}

// wordEnd finds the end of the word starting at i: the next blank or comma.
func wordEnd(s string, i int) int {
	for i < len(s) && !isBlank(s[i]) && s[i] != ',' {
		i++
	}
	return i
}

// parseWord parses a term written without inner blanks, splitting off a
// leading operator if any.
func (p parser) parseWord(word string) ([]bound, error) {
	if strings.HasPrefix(word, "~>") {
		return nil, p.fail(word, `invalid operator "~>" in `+strconv.Quote(word)+`, you probably meant "~"`)
	}
	for _, op := range wordOperators {
		if strings.HasPrefix(word, op) {
			return p.parseTerm(word, op, word[len(op):])
		}
	}
	return p.parseTerm(word, "", word)
}

var (
	// matchAllPattern is Composer's "*", "x", "*.*", "v*" family.
	matchAllPattern = regexp.MustCompile(`^(?i:(v)?[x*](\.[x*])*)$`)
	// wildcardPattern is Composer's X-range: numbers then ".*" or ".x".
	wildcardPattern = regexp.MustCompile(`^(?i:v)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+$`)
	// stabilityFlags are the "@flag" suffixes Composer accepts.
	stabilityFlags = map[string]bool{"stable": true, "rc": true, "beta": true, "alpha": true, "dev": true}
)

// parseTerm turns one term (op is "", "~", "^" or a comparator, rest the
// version text after it) into bounds, following Composer's parseConstraint.
func (p parser) parseTerm(term, op, rest string) ([]bound, error) {
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		if !stabilityFlags[strings.ToLower(rest[i+1:])] {
			return nil, p.fail(term, "unknown stability flag "+strconv.Quote(rest[i:])+" in "+strconv.Quote(term)+
				` (expected @stable, @RC, @beta, @alpha or @dev)`)
		}
		rest = rest[:i]
		if rest == "" && op == "" {
			rest = "*"
		}
	}
	if rest == "" {
		return nil, p.fail(term, "operator "+strconv.Quote(op)+" is not followed by a version")
	}

	if op == "" {
		if m := matchAllPattern.FindStringSubmatch(rest); m != nil {
			if m[1] != "" || m[2] != "" {
				// Composer: ">=0.0.0.0-dev", every well-formed version.
				return []bound{{opGE, "0.0.0.0-dev"}}, nil
			}
			return nil, nil
		}
		if m := wildcardPattern.FindStringSubmatch(rest); m != nil {
			return p.wildcard(term, m)
		}
	}

	v, reason := parseVersion(rest)
	if reason != "" {
		if op == "" && term == rest {
			reason += " or version constraint (expected e.g. 10.0.3, >=10.0, ~10.0, ^10.0.10, 10.0.*)"
		} else {
			reason = "in " + strconv.Quote(term) + ", " + reason
		}
		return nil, p.fail(term, reason)
	}

	switch op {
	case "~":
		// ~1.2 allows the last written part to grow: >=1.2 <2.0;
		// ~1.2.3 is >=1.2.3 <1.3.0; ~1 is treated like ~1.0.
		return []bound{lowerBound(v), {opLT, v.bumped(max(1, v.given-1), 1).devBound().String()}}, nil
	case "^":
		// ^ allows changes that keep the left-most non-zero part.
		position := 3
		switch {
		case v.nums[0] != 0 || v.given < 2:
			position = 1
		case v.nums[1] != 0 || v.given < 3:
			position = 2
		}
		return []bound{lowerBound(v), {opLT, v.bumped(position, 1).devBound().String()}}, nil
	case "", "=", "==":
		return []bound{{opEQ, v.String()}}, nil
	case "!=", "<>":
		return []bound{{opNE, v.String()}}, nil
	case ">":
		return []bound{{opGT, v.String()}}, nil
	case "<=":
		return []bound{{opLE, v.String()}}, nil
	case ">=":
		return []bound{lowerBound(v)}, nil
	default: // "<"
		if !v.modified {
			v = v.devBound()
		}
		return []bound{{opLT, v.String()}}, nil
	}
}

// lowerBound is Composer's inclusive lower bound: an unsuffixed version
// becomes its "-dev" form so that its own pre-releases are admitted, while
// an explicit stability ("~1.0-beta2") is kept as written.
func lowerBound(v version) bound {
	if !v.modified {
		v = v.devBound()
	}
	return bound{opGE, v.String()}
}

// wildcard builds an X-range: 10.0.* is >=10.0.0.0-dev <10.1.0.0-dev.
func (p parser) wildcard(term string, m []string) ([]bound, error) {
	var v version
	for i := 1; i <= 3 && m[i] != ""; i++ {
		if len(m[i]) > maxDigits {
			return nil, p.fail(term, "version number "+strconv.Quote(m[i])+" in "+strconv.Quote(term)+" is too large")
		}
		v.nums[i-1], _ = strconv.ParseUint(m[i], 10, 64)
		v.given = i
	}
	low := v.bumped(v.given, 0).devBound()
	high := bound{opLT, v.bumped(v.given, 1).devBound().String()}
	if low.String() == "0.0.0.0-dev" {
		return []bound{high}, nil
	}
	return []bound{{opGE, low.String()}, high}, nil
}

// parseHyphen builds an inclusive range "from - to". A complete upper
// version (three or more parts, or any stability) is included as such; a
// partial one stands for its whole series, so "1.0 - 2.0" is <2.1.
func (p parser) parseHyphen(term, from, to string) ([]bound, error) {
	low, reason := parseVersion(from)
	if reason == "" {
		var high version
		high, reason = parseVersion(to)
		if reason == "" {
			if high.given >= 3 || high.modified {
				return []bound{lowerBound(low), {opLE, high.String()}}, nil
			}
			position := 1
			if high.given == 2 {
				position = 2
			}
			return []bound{lowerBound(low), {opLT, high.bumped(position, 1).devBound().String()}}, nil
		}
	}
	return nil, p.fail(term, "in hyphen range "+strconv.Quote(term)+", "+reason)
}
