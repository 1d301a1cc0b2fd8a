-- +goose Up
-- Timestamps are TEXT in a fixed-width UTC format (see sqlite/time.go) so
-- that they sort and compare as strings.
CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'active',
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);

CREATE TABLE offers (
    reference TEXT    PRIMARY KEY,
    level     INTEGER NOT NULL,
    titles    TEXT    NOT NULL, -- JSON object: language → title
    features  TEXT    NOT NULL  -- JSON array
);

CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    offer_ref  TEXT    NOT NULL REFERENCES offers (reference),
    begin_at   TEXT    NOT NULL,
    end_at     TEXT,
    state      TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX subscriptions_account ON subscriptions (account_id);

CREATE TABLE registration_keys (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hash        BLOB    NOT NULL UNIQUE,
    prefix      TEXT    NOT NULL,
    label       TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT,
    replaced_by INTEGER REFERENCES registration_keys (id),
    grace_until TEXT
);
CREATE INDEX registration_keys_account ON registration_keys (account_id);

CREATE TABLE instances (
    key_id       INTEGER NOT NULL REFERENCES registration_keys (id) ON DELETE CASCADE,
    uid          TEXT    NOT NULL,
    account_id   INTEGER NOT NULL,
    glpi_version TEXT    NOT NULL,
    install_mode TEXT    NOT NULL,
    first_seen   TEXT    NOT NULL,
    last_seen    TEXT    NOT NULL,
    PRIMARY KEY (key_id, uid)
);
CREATE INDEX instances_account ON instances (account_id, last_seen);

CREATE TABLE plugins (
    key            TEXT    PRIMARY KEY,
    name           TEXT    NOT NULL,
    logo_url       TEXT    NOT NULL DEFAULT '',
    homepage_url   TEXT    NOT NULL DEFAULT '',
    issues_url     TEXT    NOT NULL DEFAULT '',
    readme_url     TEXT    NOT NULL DEFAULT '',
    changelog_url  TEXT    NOT NULL DEFAULT '',
    license        TEXT    NOT NULL DEFAULT '',
    note           REAL    NOT NULL DEFAULT 0,
    authors        TEXT    NOT NULL DEFAULT '[]', -- JSON array of names
    descriptions   TEXT    NOT NULL DEFAULT '[]', -- JSON array of {lang, short, long}
    download_count INTEGER NOT NULL DEFAULT 0,
    date_added     TEXT    NOT NULL,
    date_updated   TEXT    NOT NULL
);

CREATE TABLE plugin_versions (
    plugin_key        TEXT    NOT NULL REFERENCES plugins (key) ON DELETE CASCADE,
    num               TEXT    NOT NULL,
    compatibility     TEXT    NOT NULL DEFAULT '',
    stability         TEXT    NOT NULL,
    required_offers   TEXT    NOT NULL DEFAULT '[]', -- JSON array of offer references
    released_at       TEXT    NOT NULL,
    archive_filename  TEXT    NOT NULL,
    archive_format    TEXT    NOT NULL,
    archive_size      INTEGER NOT NULL,
    archive_sha256    TEXT    NOT NULL,
    archive_signature BLOB,
    archive_path      TEXT    NOT NULL,
    yanked            INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL,
    PRIMARY KEY (plugin_key, num)
);

CREATE TABLE tags (
    key   TEXT PRIMARY KEY,
    names TEXT NOT NULL DEFAULT '{}' -- JSON object: language → name
);

CREATE TABLE plugin_tags (
    plugin_key TEXT NOT NULL REFERENCES plugins (key) ON DELETE CASCADE,
    tag_key    TEXT NOT NULL REFERENCES tags (key) ON DELETE CASCADE,
    PRIMARY KEY (plugin_key, tag_key)
);

CREATE TABLE audit_events (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE TABLE changes (
    id      INTEGER PRIMARY KEY,
    topic   TEXT NOT NULL,
    subject TEXT NOT NULL,
    at      TEXT NOT NULL
);

-- +goose Down
DROP TABLE changes;
DROP TABLE audit_events;
DROP TABLE plugin_tags;
DROP TABLE tags;
DROP TABLE plugin_versions;
DROP TABLE plugins;
DROP TABLE instances;
DROP TABLE registration_keys;
DROP TABLE subscriptions;
DROP TABLE offers;
DROP TABLE users;
DROP TABLE accounts;
