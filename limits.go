package glpinet

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on the text people store through the portal, the API or the
// command line, so that no form or call can fill the database, a page, a
// log line or an audit event with megabytes (a 900 KB key label was once
// accepted). Each domain type's Validate applies them, and both stores
// call Validate: the limits hold whichever surface writes.
//
// Lengths are in characters (Unicode code points, what a person counts
// and what PostgreSQL's length() returns), except where "bytes" is said.
// Links are limited by MaxLinkLength (see CheckLink); keys, slugs and
// version numbers by their patterns.
const (
	MaxNameLen             = 200    // account, user and plugin names; one plugin author
	MaxLabelLen            = 200    // a registration key's label
	MaxTokenNameLen        = 100    // an API token's name
	MaxEmailLen            = 254    // an e-mail address, in bytes (RFC 5321's limit on a path)
	MaxTitleLen            = 200    // an offer's title or a tag's name, in one language
	MaxFeatureLen          = 100    // one feature of an offer
	MaxFeatures            = 100    // features of one offer
	MaxLanguages           = 50     // titles, names or descriptions of one thing (one per language)
	MaxLangLen             = 35     // a language tag, in bytes (RFC 5646's advice for storing one)
	MaxShortDescriptionLen = 1_000  // a plugin's short description, in one language
	MaxDescriptionLen      = 10_000 // a plugin's long description, in one language
	MaxLicenseLen          = 100    // a plugin's licence: a name or an SPDX expression
	MaxAuthors             = 100    // authors of one plugin
	MaxPluginTags          = 100    // tags of one plugin
	MaxConstraintLen       = 200    // a version's GLPI compatibility constraint
	MaxStabilityLen        = 20     // a version's stability (stable, RC, beta, alpha, dev)
)

// Limits on what people may ask for. They are the same whichever surface
// asks (the portal, the management API or the command line): package
// service applies them, and the domain types' Validate methods where a
// stored value must respect them.
const (
	MaxRotationGrace  = 90 * 24 * time.Hour // how long a rotated key may keep working (DefaultRotationGrace: 7 days)
	MinInvitationDays = 1                   // an invitation's validity, in days
	MaxInvitationDays = 90                  //
	MaxInvitationUses = 1000                // people one invitation may let in
	MaxTokenDays      = 3650                // an API token's validity, in days; longer asks are cut to it
	MinPasswordLen    = 10                  // a password, in characters
	MaxPasswordLen    = 1024                // a password, in bytes: any passphrase fits, and hashing it costs nothing more
)

// CheckText returns an EINVALID error naming field (e.g. "key label")
// when s is longer than max characters, or is not text: invalid UTF-8 or
// a NUL character, which PostgreSQL refuses where SQLite would keep them
// (both stores accept the same texts). The message says the limit.
func CheckText(field, s string, max int) error {
	if len(s) <= max && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return nil // the common case, without counting
	}
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "The %s is not valid UTF-8 text.", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Errorf(EINVALID, "The %s contains a NUL character.", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(EINVALID, "The %s is at most %d characters long (this one has %d).", field, max, n)
	}
	return nil
}

// checkCount returns an EINVALID error when a list of n things (e.g.
// "authors of a plugin") has more than max elements.
func checkCount(things string, n, max int) error {
	if n > max {
		return Errorf(EINVALID, "Too many %s: at most %d (got %d).", things, max, n)
	}
	return nil
}

// checkTranslations applies CheckText to each text of m, a text per
// language, and limits the languages: their number, and each tag to
// MaxLangLen bytes. Languages are checked in order, so that the error is
// always the same one.
func checkTranslations(field string, m map[string]string, max int) error {
	if err := checkCount("languages of the "+field, len(m), MaxLanguages); err != nil {
		return err
	}
	for _, lang := range slices.Sorted(maps.Keys(m)) {
		if lang == "" || len(lang) > MaxLangLen {
			return Errorf(EINVALID, "A language of the %s is a code of 1 to %d letters (got %q).", field, MaxLangLen, clip(lang))
		}
		if err := CheckText(field+" ("+clip(lang)+")", m[lang], max); err != nil {
			return err
		}
	}
	return nil
}

// clip shortens s for quoting in an error message: messages are shown to
// people and logged, and must not echo megabytes back.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
