-- +goose Up
-- E-mail verification (glpinet.EmailVerificationStore): email_verified_at
-- is when a user proved they read their address, NULL while they have
-- not. The users there already are taken as verified from their creation,
-- so that an upgrade locks nobody out of issuing keys. Verification links
-- keep only the SHA-256 of their token, like password_resets; used_at is
-- set when the link is used, and on every other unused link of the user
-- at the same time.
ALTER TABLE users ADD COLUMN email_verified_at TEXT;
UPDATE users SET email_verified_at = created_at;
CREATE TABLE email_verifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       BLOB    NOT NULL UNIQUE,
    expires_at TEXT    NOT NULL,
    used_at    TEXT,
    created_at TEXT    NOT NULL
);
CREATE INDEX email_verifications_user ON email_verifications (user_id);

-- +goose Down
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
