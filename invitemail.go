package glpinet

// MailKindInvitation carries an invitation's join link to the address it
// was made for (templates in package mail), in the inviter's language:
// the invitee has none yet. Its values are "inviter" (the inviter's
// name), "account" (the account's name), "role", "link" (the join link,
// which holds the code) and "expires" (the last day it works).
const MailKindInvitation = "invitation"
