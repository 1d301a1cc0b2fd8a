// Package pluginarchive validates GLPI plugin archives before the marketplace
// stores them.
//
// GLPI downloads a published archive and extracts it into its marketplace/
// directory without any verification of its own, so everything dangerous or
// malformed must be caught here, at publish time: path traversal, links and
// device files, duplicate or case-colliding names, compression bombs, archives
// that do not hold exactly one plugin folder, and plugins whose setup.php does
// not declare a version. [Inspect] performs all these checks and, when the
// archive is acceptable, returns a [Manifest] describing it.
//
// Every rejection caused by the archive's content is a *glpinet.Error with
// code glpinet.EINVALID whose message is meant to be shown to the vendor as
// is; failures to read the archive are plain wrapped errors.
//
// The entry-level checks (name normalisation, entry types, duplicates, size
// accounting) live in an internal walk over the archive entries so that
// [Extract], which installs a plugin on a GLPI host, applies exactly the
// same rules as publishing does. [Expected.Verify] checks a downloaded
// archive against the catalogue's size, SHA-256 and Ed25519 signature
// (see signing.Message) before anything is extracted.
package pluginarchive
