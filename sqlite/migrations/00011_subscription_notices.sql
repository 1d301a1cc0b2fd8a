-- +goose Up
-- The notices sent before and after a paid subscription ends
-- (glpinet.SubscriptionNoticeStore): one row per subscription and kind,
-- the unique constraint being what keeps two replicas scanning at once
-- from mailing twice. end_at is the end the notice was about: an end
-- moved since makes the notice due again (the row is then updated).
-- Timestamps are fixed-width text (sqlite/time.go).
CREATE TABLE subscription_notices (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('30d', '7d', '1d', 'ended')),
    end_at          TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    UNIQUE (subscription_id, kind)
);
-- The hourly scan reads subscriptions by their end.
CREATE INDEX subscriptions_end ON subscriptions (end_at) WHERE end_at IS NOT NULL;

-- +goose Down
DROP INDEX subscriptions_end;
DROP TABLE subscription_notices;
