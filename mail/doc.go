// Package mail sends glpinet's e-mail: the SMTP settings (settings.go), the
// templates in the recipient's language (templates.go, templates/ and
// messages/, the same message files as the portal's pages), the message's
// bytes (message.go), the SMTP client (smtp.go) and the worker that sends
// the outbox of the store (worker.go, glpinet.MailStore) with retries.
//
// A mail is enqueued in the transaction of what causes it
// (storeflow.EnqueueMail) with its kind, recipient, language and values;
// the worker renders it when it sends it. Adding a mail is adding
// templates/KIND.txt, templates/KIND.html and the texts KIND.subject (and
// whatever else they use) to messages/*.json, then enqueueing a
// glpinet.Mail of that kind in the write that causes it.
package mail
