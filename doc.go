// Package glpinet is the domain of glpinet, a self-hostable implementation
// of the GLPI Network services: the registration keys GLPI sends with every
// request, the offers and subscriptions that decide what a key unlocks, and
// the plugin marketplace GLPI browses and installs from.
//
// A service provider runs glpinetd. A customer signs up on its portal,
// which creates an [Account] (an organisation, shown in GLPI as
// "Registered by") with its [User]s. Every account has a free "registered"
// [Subscription] to an [Offer]; paid offers (basic, standard, advanced) are
// layered on top, and the one reported to GLPI is the highest-level
// subscription running at the server's time. The customer issues a
// [RegistrationKey] (format in key.go: "gnk_", 128 random bits, a
// checksum that catches typos offline), copies it into GLPI once — the
// server keeps only its SHA-256 — and GLPI sends it on every call. The
// server answers with a [Validation]: a verdict that is a result, never an
// error (VALID, UNKNOWN, REVOKED, SUBSCRIPTION_ENDED…), because GLPI caches
// a negative verdict for a day while an internal failure must stay a 5xx
// that it retries. Keys rotate with a grace period and are revoked at once.
//
// The marketplace is a catalogue of [Plugin]s and their versions: each
// version's archive is inspected when published (one top folder named after
// the plugin, a setup.php that agrees with the metadata, no unsafe paths),
// stored with its size, SHA-256 and Ed25519 signature, and gated by the
// offers it requires. GLPI instances seen with a key are recorded as
// [Instance]s; every change is an [AuditEvent] and a [Change] that the
// caches of every replica follow.
//
// This package holds only the types, their rules that need no I/O, and the
// interfaces of their stores ([Store] and its parts); it imports neither
// database/sql nor net/http. Stores are in sqlite and postgres, the HTTP
// surfaces under http, and docs/architecture.md draws how the packages meet
// and the path of a key and of an archive through them.
package glpinet
