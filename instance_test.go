package glpinet

import "testing"

func TestParseUserAgent(t *testing.T) {
	tests := []struct {
		in   string
		want UserAgent
	}{
		{"GLPI/10.0.16 (installation-mode:TARBALL)", UserAgent{"10.0.16", "TARBALL"}},
		{"GLPI/11.0.4 (installation-mode:GIT; custom build)", UserAgent{"11.0.4", "GIT"}},
		{"GLPI/10.0.16", UserAgent{"10.0.16", ""}},
		{"GLPI/9.2 (installation-mode:CLOUD)", UserAgent{"9.2.0", "CLOUD"}},
		{"GLPI/11.0.0-rc2 (installation-mode:TARBALL)", UserAgent{"11.0.0", "TARBALL"}},
		{"GLPI/010.00.016", UserAgent{"10.0.16", ""}},
		{"GLPI/10.0.16.1", UserAgent{"10.0.16", ""}},
		{"curl/8.0", UserAgent{}},
		{"", UserAgent{}},
		{"Mozilla/5.0 GLPI/10.0.16", UserAgent{}},
		{"GLPI/", UserAgent{}},
	}
	for _, tt := range tests {
		if got := ParseUserAgent(tt.in); got != tt.want {
			t.Errorf("ParseUserAgent(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseUserAgent(f *testing.F) {
	f.Add("GLPI/10.0.16 (installation-mode:TARBALL)")
	f.Add("GLPI/11.0.0-rc2 (installation-mode:GIT; x)")
	f.Fuzz(func(t *testing.T, s string) {
		ua := ParseUserAgent(s)
		if ua.GLPIVersion == "" && ua.InstallMode != "" {
			t.Fatalf("mode without version for %q", s)
		}
		if ua.GLPIVersion != "" && ParseUserAgent("GLPI/"+ua.GLPIVersion).GLPIVersion != ua.GLPIVersion {
			t.Fatalf("version %q of %q does not round-trip", ua.GLPIVersion, s)
		}
	})
}
