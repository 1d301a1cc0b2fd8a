package glpinet

// Mail kinds of the security notices (templates in package mail): a change
// that someone holding a stolen password or session could make is told to
// the people it concerns, by mail, in the transaction that makes it.
const (
	// MailKindTokenCreated tells a user that an API token was created for
	// them; its values are "name" (the user's), "token" (the token's
	// name), "scopes" and "expires" ("" for none).
	MailKindTokenCreated = "token-created"
	// MailKindKeyRevoked tells an account's owners that one of its
	// registration keys was revoked; its values are "name" (the
	// owner's), "key" (the key's display prefix), "label" and "by" (the
	// audit actor who revoked it).
	MailKindKeyRevoked = "key-revoked"
)
