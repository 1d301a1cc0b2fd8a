package glpinet

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name string
		s    string
		max  int
		want string // the message, "" for accepted
	}{
		{"empty", "", 3, ""},
		{"at the limit", "abc", 3, ""},
		{"characters, not bytes", "ééé", 3, ""},
		{"one over", "abcd", 3, "The key label is at most 3 characters long (this one has 4)."},
		{"multi-byte over", "éééé", 3, "The key label is at most 3 characters long (this one has 4)."},
		{"invalid UTF-8", "a\xffb", 3, "The key label is not valid UTF-8 text."},
		{"NUL", "a\x00b", 3, "The key label contains a NUL character."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckText("key label", tt.s, tt.max)
			if got := ErrorMessage(err); got != tt.want {
				t.Errorf("CheckText(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
			}
			if err != nil && ErrorCode(err) != EINVALID {
				t.Errorf("code %q, want EINVALID", ErrorCode(err))
			}
		})
	}
}

// TestValidateLimits: each domain type refuses a text one character over
// its limit, naming it.
func TestValidateLimits(t *testing.T) {
	over := func(n int) string { return strings.Repeat("é", n+1) }
	plugin := func(edit func(p *Plugin)) *Plugin {
		p := &Plugin{Key: "reports", Name: "Reports", Descriptions: []Description{{Lang: "en", Short: "s", Long: "l"}}}
		edit(p)
		return p
	}
	tests := []struct {
		name      string
		validate  func() error
		wantField string
	}{
		{"account name", (&Account{Name: over(MaxNameLen), State: AccountActive}).Validate, "account name"},
		{"user name", (&User{Email: "a@example.com", Name: over(MaxNameLen), Role: RoleMember, PasswordHash: "x"}).Validate, "user name"},
		{"e-mail", (&User{Email: strings.Repeat("a", 250) + "@b.com", Name: "A", Role: RoleMember, PasswordHash: "x"}).Validate, "e-mail"},
		{"language", (&User{Email: "a@example.com", Name: "A", Role: RoleMember, PasswordHash: "x", Lang: strings.Repeat("x", MaxLangLen+1)}).Validate, "language"},
		{"token name", (&APIToken{Name: over(MaxTokenNameLen), Scopes: []TokenScope{ScopeRead}}).Validate, "token name"},
		{"key label", (&RegistrationKey{Label: over(MaxLabelLen)}).Validate, "key label"},
		{"offer title", (&Offer{Reference: "gold", Titles: map[string]string{"en": over(MaxTitleLen)}}).Validate, "offer title (en)"},
		{"offer feature", (&Offer{Reference: "gold", Features: []string{over(MaxFeatureLen)}}).Validate, "offer feature"},
		{"offer title language", (&Offer{Reference: "gold", Titles: map[string]string{strings.Repeat("x", 1000): "Gold"}}).Validate, "offer title"},
		{"tag name", (&Tag{Key: "t", Names: map[string]string{"fr": over(MaxTitleLen)}}).Validate, "tag name (fr)"},
		{"plugin name", plugin(func(p *Plugin) { p.Name = over(MaxNameLen) }).Validate, "plugin name"},
		{"plugin license", plugin(func(p *Plugin) { p.License = over(MaxLicenseLen) }).Validate, "plugin license"},
		{"plugin author", plugin(func(p *Plugin) { p.Authors = []string{over(MaxNameLen)} }).Validate, "plugin author"},
		{"authors", plugin(func(p *Plugin) { p.Authors = make([]string, MaxAuthors+1) }).Validate, "authors"},
		{"short description", plugin(func(p *Plugin) { p.Descriptions[0].Short = over(MaxShortDescriptionLen) }).Validate, "short description (en)"},
		{"long description", plugin(func(p *Plugin) { p.Descriptions[0].Long = over(MaxDescriptionLen) }).Validate, "long description (en)"},
		{"tags", plugin(func(p *Plugin) { p.Tags = make([]string, MaxPluginTags+1) }).Validate, "tags"},
		{"constraint", (&Version{Num: "1.0", Stability: "stable", Compatibility: over(MaxConstraintLen),
			Archive: Archive{SHA256: "ab", Size: 1, Path: "p"}}).Validate, "compatibility constraint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.validate()
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.wantField) {
				t.Errorf("Validate() = %v, want EINVALID naming %q", err, tt.wantField)
			}
			if n := len(ErrorMessage(err)); n > 300 {
				t.Errorf("a message of %d bytes: it echoes the input", n)
			}
		})
	}
}

func TestClip(t *testing.T) {
	for _, s := range []string{"short", strings.Repeat("é", 100), strings.Repeat("a", 59) + "é" + strings.Repeat("b", 10)} {
		got := clip(s)
		if !utf8.ValidString(got) || len(got) > 60+len("…") || (len(s) <= 60) != (got == s) {
			t.Errorf("clip(%q) = %q", s, got)
		}
	}
}
