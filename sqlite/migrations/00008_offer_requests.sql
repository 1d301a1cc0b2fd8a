-- +goose Up
-- What the offers page says of an offer (glpinet.Offer.Prices and
-- Descriptions, JSON objects: language → text), and the requests for an
-- offer (glpinet.OfferRequestStore). The partial unique index is the rule
-- "one pending request per account and offer": a second insert fails
-- whoever checked before. user_id has no foreign key: a request outlives
-- the removal of its requester, as the audit log does. Timestamps are
-- fixed-width text (sqlite/time.go).
ALTER TABLE offers ADD COLUMN prices TEXT NOT NULL DEFAULT '{}';
ALTER TABLE offers ADD COLUMN descriptions TEXT NOT NULL DEFAULT '{}';

CREATE TABLE offer_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    offer_ref       TEXT    NOT NULL REFERENCES offers (reference),
    user_id         INTEGER NOT NULL,
    message         TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL,
    decided_by      TEXT    NOT NULL DEFAULT '',
    decided_at      TEXT,
    subscription_id INTEGER,
    created_at      TEXT    NOT NULL
);
CREATE UNIQUE INDEX offer_requests_pending ON offer_requests (account_id, offer_ref) WHERE state = 'pending';
CREATE INDEX offer_requests_account ON offer_requests (account_id);

-- +goose Down
DROP TABLE offer_requests;
ALTER TABLE offers DROP COLUMN descriptions;
ALTER TABLE offers DROP COLUMN prices;
