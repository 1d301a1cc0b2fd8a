-- +goose Up
-- The PostgreSQL twin of sqlite/migrations/00003_attempts.sql: attempt
-- counters (failed logins, sign-ups per address) that every replica
-- shares, one per key, each for one fixed window [window_start,
-- window_end). Transient: no audit event nor change is written for them,
-- and `glpinetd db copy` leaves them behind. Keys are hashes, at most 128
-- bytes (glpinet.MaxAttemptKeyLen).
CREATE TABLE attempts (
    key          text        PRIMARY KEY,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    count        integer     NOT NULL
);
-- PruneAttempts deletes by the end of the window.
CREATE INDEX attempts_window_end ON attempts (window_end);

-- +goose Down
DROP TABLE attempts;
