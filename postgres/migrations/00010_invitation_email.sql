-- +goose Up
-- The PostgreSQL twin of sqlite/migrations/00010_invitation_email.sql:
-- email is the address an invitation's link was mailed to, NULL for a
-- link its creator handed over. The link itself is never stored.
ALTER TABLE invitations ADD COLUMN email text;

-- +goose Down
ALTER TABLE invitations DROP COLUMN email;
