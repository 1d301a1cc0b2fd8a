package mail

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Rendered is a mail's text in its recipient's language.
type Rendered struct {
	Subject string
	Text    string // text/plain
	HTML    string // text/html
}

// Message is the RFC 5322 message of r from from to to, dated now:
// multipart/alternative with a text/plain and a text/html part, both
// UTF-8 in quoted-printable (lines stay short and 7-bit whatever the
// language), the subject Q-encoded when it is not ASCII. Lines end in
// CRLF, as SMTP wants.
func Message(from *mail.Address, to string, r Rendered, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", (&mail.Address{Address: to}).String())
	// Encoded words are at most 75 characters: one a line keeps lines
	// short (RFC 5322 folding).
	header("Subject", strings.ReplaceAll(mime.QEncoding.Encode("utf-8", oneLine(r.Subject)), "?= =?", "?=\r\n =?"))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address))
	header("MIME-Version", "1.0")
	// RFC 3834: no auto-reply should answer it.
	header("Auto-Submitted", "auto-generated")
	header("Content-Type", "multipart/alternative;\r\n boundary="+w.Boundary())
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", r.Text}, {"text/html", r.HTML}} {
		pw, err := w.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qw := quotedprintable.NewWriter(pw)
		if _, err := qw.Write([]byte(crlf(part.body))); err != nil {
			return nil, err
		}
		if err := qw.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// oneLine keeps a header on one line: a template's subject ending in a
// newline must not start the body early (or add a header).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// crlf turns the template's line ends into CRLF; the quoted-printable
// writer keeps CRLF as a hard line break.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// messageID is a new Message-ID in the sender's domain: 128 random bits.
func messageID(from string) string {
	domain := "glpinet.invalid"
	if i := strings.LastIndex(from, "@"); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + domain + ">"
}
