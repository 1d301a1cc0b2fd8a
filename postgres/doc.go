// Package postgres is the scale-out store of glpinet: PostgreSQL through
// pgx's connection pool, for any number of glpinetd replicas sharing one
// database. It passes the same conformance suite (storetest) as the
// embedded sqlite store.
//
// # Replicas
//
// Open applies the embedded migrations (goose) holding a session-level
// advisory lock, so replicas starting together take turns and the schema is
// applied once. Session-level locks need session pooling: behind PgBouncer
// in transaction mode, run `glpinetd migrate up` through a direct
// connection first.
//
// Each mutation writes its Change in its own transaction, and a trigger
// announces it with NOTIFY on the channel glpinet_changes; ListenChanges
// (glpinet.ChangeListener) hands those to the caches of every replica as
// the transactions commit, in commit order. Channels belong to the
// database, not the schema: two deployments in schemas of one database
// would hear each other's changes (harmless, caches would only drop more).
// Polling ChangesSince is not a substitute: IDs are handed out before
// commit, so they become visible out of order.
//
// Where SQLite serialises writers, this store locks the rows a decision
// depends on (SELECT ... FOR UPDATE in READ COMMITTED transactions; see
// DB.update).
//
// # Schema differences from SQLite
//
// Tables, column names and IDs are those of the sqlite package, so that a
// copy can go table by table, keeping IDs (identity columns are GENERATED
// BY DEFAULT: they accept explicit IDs; after a copy, reset each sequence,
// e.g. SELECT setval(pg_get_serial_sequence('accounts', 'id'),
// COALESCE(MAX(id), 1)) FROM accounts). The types differ:
//
//   - Timestamps are timestamptz (SQLite: TEXT, RFC 3339 in UTC with nine
//     fractional digits). PostgreSQL keeps microseconds: finer digits are
//     dropped.
//   - Hashes and signatures are bytea (SQLite: BLOB).
//   - JSON values are jsonb (SQLite: TEXT): offers.titles and features,
//     plugins.authors and descriptions, plugin_versions.required_offers,
//     tags.names, api_tokens.scopes. jsonb does not keep an object's key
//     order or spacing; arrays keep their order.
//   - plugin_versions.yanked is boolean (SQLite: INTEGER 0 or 1).
//   - plugins.note is double precision (SQLite: REAL); integers are bigint
//     or integer (SQLite: INTEGER).
//   - users.email is unique without regard to case through the expression
//     index users_email on lower(email) (SQLite: UNIQUE COLLATE NOCASE).
//     lower() folds every letter, NOCASE only ASCII ones; the store writes
//     e-mails lower-cased anyway.
//   - users.lang comes last in users (SQLite rebuilt the table and put it
//     after role): the column order differs, not the names.
//   - subscriptions_account indexes (account_id, begin_at, id), the order in
//     which FindKeyRecord reads them (SQLite: account_id only).
//   - users has the CHECK constraint users_operator: operators, and only
//     they, have no account (SQLite: the same CHECK, unnamed).
//   - changes has the trigger changes_notify and its function
//     glpinet_notify_change (SQLite: nothing; its caches poll).
//   - archive_blobs and archive_chunks (migration 00005) exist only here:
//     the archives' bytes, in chunks, so that replicas need no shared disk
//     (glpinet.ArchiveStore, archive.go). SQLite's 00005 creates nothing:
//     there the files of the data folder are the archives' only home, and
//     `glpinetd db copy` fills these tables from them.
//   - goose keeps its versions in goose_db_version in both; the
//     migrations have the same versions and purposes in both stores
//     (00005 aside, above).
package postgres
