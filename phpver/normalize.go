package phpver

import (
	"regexp"
	"strings"
)

// glpiVersionPattern is the pattern of GLPI's
// Glpi\Toolbox\VersionParser::getNormalizedVersion, case-sensitive as
// there: major and minor always, bugfix sometimes ("9.2"), a fourth number
// left over by re-tagged releases ("9.4.1.1"), then an optional unstable flag.
var glpiVersionPattern = regexp.MustCompile(
	`^(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-(?:dev|alpha\d*|beta\d*|rc\d*))?$`)

// Normalize returns what GLPI compares when it checks its own version,
// VersionParser::getNormalizedVersion(GLPI_VERSION, false): the
// "major.minor.bugfix" triple with any "-dev", "-alphaN", "-betaN" or
// "-rcN" flag dropped, so a GLPI 11.0.0-rc2 counts as 11.0.0 and plugins
// can be tested on release candidates. "9.2" becomes "9.2.0", "9.4.1.1"
// becomes "9.4.1". Digits are kept as written, as GLPI concatenates strings.
//
// ok is false when GLPI's pattern does not match, in which case GLPI would
// go on with the string unchanged (see [CheckGLPI]). Like PHP's "$", the
// pattern tolerates one trailing newline.
//
// One deliberate difference: for "9.2-dev" GLPI itself builds "9.2."
// (PHP's preg_match reports the skipped bugfix group as "" and "?? 0" keeps
// it); Normalize returns the intended "9.2.0".
func Normalize(v string) (string, bool) {
	m := glpiVersionPattern.FindStringSubmatch(strings.TrimSuffix(v, "\n"))
	if m == nil {
		return "", false
	}
	bugfix := m[3]
	if bugfix == "" {
		bugfix = "0"
	}
	return m[1] + "." + m[2] + "." + bugfix, true
}

// CheckGLPI reports whether a GLPI installation announcing glpiVersion
// satisfies c, normalising the version first exactly as GLPI does before
// its own comparisons, so that "11.0.0-rc2" is treated as "11.0.0" and is
// accepted by "=11.0.0" or "~11.0.0". When [Normalize] does not recognise
// the version, it is checked as given, which is again what GLPI does.
func CheckGLPI(c Constraint, glpiVersion string) bool {
	if n, ok := Normalize(glpiVersion); ok {
		return c.Check(n)
	}
	return c.Check(glpiVersion)
}
