-- +goose Up
-- Users may be disabled (glpinetd operator disable, user disable):
-- disabled_at is when, NULL while they may sign in. Their sessions are
-- deleted then; their API tokens stay, refused while it lasts, so that
-- enabling the user gives them back.
ALTER TABLE users ADD COLUMN disabled_at TEXT;

-- +goose Down
ALTER TABLE users DROP COLUMN disabled_at;
