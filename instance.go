package glpinet

import (
	"regexp"
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

// GLPI sends "GLPI/10.0.16 (installation-mode:TARBALL)" from its registration
// client and "GLPI/10.0.16" from plain cURL calls; extra comments may follow
// the mode after "; ".
var userAgentRE = regexp.MustCompile(`^GLPI/([0-9]+(?:\.[0-9]+){0,3})(?:[-+~][0-9A-Za-z.-]*)?(?:\s+\(([^)]*)\))?`)
var installModeRE = regexp.MustCompile(`installation-mode:([A-Za-z0-9_-]{1,32})`)

// ParseUserAgent extracts the GLPI version and installation mode from a
// User-Agent header. Anything that is not a GLPI agent yields a zero UserAgent.
func ParseUserAgent(s string) UserAgent {
	if len(s) > 512 {
		s = s[:512]
	}
	m := userAgentRE.FindStringSubmatch(s)
	if m == nil {
		return UserAgent{}
	}
	ua := UserAgent{GLPIVersion: normalizeGLPIVersion(m[1])}
	if mm := installModeRE.FindStringSubmatch(m[2]); mm != nil {
		ua.InstallMode = mm[1]
	}
	return ua
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
