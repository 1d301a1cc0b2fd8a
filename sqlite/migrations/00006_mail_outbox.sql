-- +goose Up
-- The mail outbox (glpinet.MailStore): a mail is written in the
-- transaction of what causes it and sent afterwards by a worker (package
-- mail). data holds the template's values as a JSON object and may hold a
-- secret (a reset link): it is emptied ('{}') once the mail is sent or
-- given up. A worker claims due mails by setting claim (a random token of
-- its own) and claim_until (the lease) in one statement of the single
-- writer, so that processes sharing the file never claim the same mail;
-- only the claim's holder may then record the outcome. Timestamps are
-- fixed-width text (sqlite/time.go), which orders as time.
CREATE TABLE mail_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient   TEXT    NOT NULL,
    lang        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    data        TEXT    NOT NULL DEFAULT '{}',
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     TEXT    NOT NULL,
    claim       TEXT,
    claim_until TEXT,
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    done_at     TEXT
);
-- What every worker's poll reads: the pending mails by due time.
CREATE INDEX mail_outbox_due ON mail_outbox (next_at, id) WHERE state = 'pending';
-- What pruning and `glpinetd mail list --failed` read.
CREATE INDEX mail_outbox_done ON mail_outbox (state, done_at);

-- +goose Down
DROP TABLE mail_outbox;
