// Package i18n holds the texts glpinetd shows people — GLPI's validation
// messages, the portal's pages — as one embedded JSON file per language
// and surface, and picks a language from an Accept-Language header with
// its q-values the way browsers and GLPI send it.
//
// Texts live in files rather than Go maps so that a translator edits
// `fr.json` without reading Go, and so that a test can check every
// language has every text with the same placeholders.
package i18n
