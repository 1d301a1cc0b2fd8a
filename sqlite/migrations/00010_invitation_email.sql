-- +goose Up
-- Invitations sent by e-mail: email is the address an invitation's link
-- was mailed to (glpinet.Invitation.Email), NULL for a link its creator
-- handed over. The link itself is never stored: only its mail in the
-- outbox holds it, until that mail is sent.
ALTER TABLE invitations ADD COLUMN email TEXT;

-- +goose Down
ALTER TABLE invitations DROP COLUMN email;
