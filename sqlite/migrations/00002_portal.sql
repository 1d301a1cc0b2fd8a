-- +goose Up
-- Users: operators belong to no account (account_id NULL), and each user has
-- a preferred language. SQLite cannot drop a NOT NULL, hence the rebuild.
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    lang          TEXT    NOT NULL DEFAULT 'en',
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    CHECK ((role = 'operator') = (account_id IS NULL))
);
INSERT INTO users_new (id, account_id, email, name, role, password_hash, created_at)
    SELECT id, account_id, email, name, role, password_hash, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_account ON users (account_id);

CREATE TABLE sessions (
    hash       BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hash       BLOB    NOT NULL UNIQUE,
    display    TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    max_uses   INTEGER NOT NULL,
    uses       INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT    NOT NULL,
    revoked_at TEXT,
    created_by INTEGER NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX invitations_account ON invitations (account_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    display      TEXT    NOT NULL,
    scopes       TEXT    NOT NULL, -- JSON array
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE invitations;
DROP TABLE sessions;
CREATE TABLE users_old (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
INSERT INTO users_old SELECT id, account_id, email, name, role, password_hash, created_at FROM users WHERE account_id IS NOT NULL;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;
