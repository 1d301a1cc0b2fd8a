// Package phpver reproduces, in Go, the two version rules a GLPI plugin
// catalogue has to agree with: PHP's version_compare, which GLPI uses for
// every version decision it takes itself, and the Composer constraint
// syntax ("~10.0", "^10.0.10", ">=10.0 <11.0", "10.0.*", ...) in which
// plugin publishers state which GLPI versions a plugin version supports.
//
// The server filters a plugin's versions by the GLPI version that a client
// announces (User-Agent "GLPI/10.0.16 (installation-mode:TARBALL)"). If the
// server's answer differed from what GLPI would decide, a client would be
// offered a plugin it then refuses to install, or would miss one it could
// use; hence ports rather than a semver library. Semver libraries read
// "~10.0" as ">=10.0.0 <10.1.0", whereas Composer reads it as
// ">=10.0 <11.0".
//
// # Pieces
//
//   - [Compare] is a line-by-line port of php-src's
//     ext/standard/versioning.c, quirks included.
//   - [Normalize] is GLPI's VersionParser::getNormalizedVersion($v, false):
//     "11.0.0-rc2" becomes "11.0.0", "9.2" becomes "9.2.0".
//   - [ParseConstraint] reads Composer syntax into a [Constraint], whose
//     [Constraint.Check] tests a version against it, and [CheckGLPI]
//     applies Normalize first, as GLPI does with its own version.
//
// # How a constraint is evaluated
//
// Each version inside a constraint is normalised the way Composer does it:
// a "v" prefix and "+build" metadata are dropped, missing numeric parts are
// filled with zeros up to four ("10.0" is "10.0.0.0"), and stability
// suffixes are spelt out ("-b1" is "-beta1", "-rc2" is "-RC2"). Ranges get
// the bounds Composer gives them, including the "-dev" Composer puts on a
// lower bound and on an exclusive upper bound so that pre-releases of the
// excluded version stay excluded: "~10.0" is ">=10.0.0.0-dev <11.0.0.0-dev".
// The version being checked is normalised the same way and compared to each
// bound with [Compare]. For the plain numeric versions that [CheckGLPI]
// passes on, this is exactly the textbook reading (">=10.0 <11.0").
//
// An empty constraint is accepted and matches every version: a plugin
// version that states no compatibility is offered to everyone, rather
// than being unparseable and therefore offered to no one.
package phpver
