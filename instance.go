package glpinet

import (
	"context"
	"strings"
	"time"
)

// Instance is a GLPI installation seen using a key. Advisory only: cloned
// installations share the same uid.
type Instance struct {
	KeyID       int64     `json:"key_id"`
	AccountID   int64     `json:"account_id"`
	UID         string    `json:"uid"`
	GLPIVersion string    `json:"glpi_version"`
	InstallMode string    `json:"install_mode"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

// Sighting is one request from an instance, recorded in batches off the
// request path.
type Sighting struct {
	KeyID       int64
	AccountID   int64
	UID         string
	GLPIVersion string
	InstallMode string
	At          time.Time
}

// UserAgent is what a GLPI User-Agent header says about the instance.
type UserAgent struct {
	GLPIVersion string // normalized major.minor.bugfix, "" when not a GLPI agent
	InstallMode string // TARBALL, GIT, CLOUD…; "" when absent
}

// ParseUserAgent extracts the GLPI version and installation mode from a
// User-Agent header: GLPI sends "GLPI/10.0.16 (installation-mode:TARBALL)"
// from its registration and marketplace clients (extra comments may follow
// the mode after "; ") and "GLPI/10.0.16" from plain cURL calls. Anything
// that is not a GLPI agent yields a zero UserAgent. Hand-written rather than
// a regular expression: it runs on every request.
func ParseUserAgent(s string) UserAgent {
	rest, ok := strings.CutPrefix(s, "GLPI/")
	if !ok {
		return UserAgent{}
	}
	// major[.minor[.bugfix[.more]]]
	i, parts := 0, 0
	for parts < 4 {
		j := i
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == i {
			return UserAgent{}
		}
		parts++
		i = j
		if i+1 < len(rest) && rest[i] == '.' && rest[i+1] >= '0' && rest[i+1] <= '9' {
			i++
			continue
		}
		break
	}
	ua := UserAgent{GLPIVersion: normalizeGLPIVersion(rest[:i])}
	if _, comment, ok := strings.Cut(rest[i:], "("); ok {
		comment, _, _ = strings.Cut(comment, ")")
		if _, mode, ok := strings.Cut(comment, "installation-mode:"); ok {
			n := 0
			for n < len(mode) && n < 32 && isModeChar(mode[n]) {
				n++
			}
			ua.InstallMode = mode[:n]
		}
	}
	return ua
}

func isModeChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// normalizeGLPIVersion pads or cuts a dotted version to major.minor.bugfix,
// as GLPI's VersionParser does.
func normalizeGLPIVersion(v string) string {
	parts := make([]string, 0, 3)
	start := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == '.' {
			parts = append(parts, trimLeadingZeros(v[start:i]))
			start = i + 1
		}
	}
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	return parts[0] + "." + parts[1] + "." + parts[2]
}

func trimLeadingZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

// InstanceStore keeps the GLPI instances seen with each key.
type InstanceStore interface {
	// RecordSightings upserts instances (first seen kept, last seen raised).
	RecordSightings(ctx context.Context, s []Sighting) error
	// ListInstances returns a page of an account's instances, most
	// recently seen first (then by key and UID, descending), and the
	// cursor of the next page ("" on the last). Returns EINVALID (a
	// malformed cursor).
	ListInstances(ctx context.Context, accountID int64, p Page) ([]*Instance, string, error)
}
