-- +goose Up
-- Password reset links (glpinet.PasswordResetStore): only the SHA-256 of
-- the link's token is kept. used_at is set when the link is used, and on
-- every other unused link of the user at the same time; a user's links go
-- with them. Timestamps are fixed-width text (sqlite/time.go).
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       BLOB    NOT NULL UNIQUE,
    expires_at TEXT    NOT NULL,
    used_at    TEXT,
    created_at TEXT    NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- +goose Down
DROP TABLE password_resets;
