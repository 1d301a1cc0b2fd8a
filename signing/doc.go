// Package signing is the one owner of the catalogue signing key: the
// Ed25519 key with which glpinetd signs every archive it publishes, and
// with which glpinet checks an archive before installing it.
//
//   - The key file (key.go) holds the 32-byte Ed25519 seed, raw, mode
//     0600: DATA/signing.key. LoadOrCreate makes one the first time a
//     server starts or a plugin is published.
//   - The signed message (message.go) covers the plugin key, the version
//     and the archive's SHA-256, so that a signature cannot be moved to
//     another plugin or version. Its bytes never change: every published
//     signature and every client depends on them.
//   - The replica policy (catalogue.go): every replica, and wherever
//     plugins are published, must use the same key. A key that does not
//     verify what the catalogue holds is refused at start (LoadForCatalogue)
//     and reported by readiness (CheckCatalogue).
package signing
