package phpver

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"10.0.16", "10.0.16", true},
		{"9.2", "9.2.0", true},
		{"11.0.0-rc2", "11.0.0", true},
		{"11.0.0-rc", "11.0.0", true},
		{"10.0.0-dev", "10.0.0", true},
		{"10.0.0-alpha", "10.0.0", true},
		{"10.0.0-beta3", "10.0.0", true},
		{"9.4.1.1", "9.4.1", true},
		{"9.2-dev", "9.2.0", true}, // GLPI itself would build "9.2."
		{"010.00.01", "010.00.01", true},
		{"10.0.16\n", "10.0.16", true}, // PCRE's "$" allows a final newline
		// Not recognised by GLPI's pattern.
		{"", "", false},
		{"10", "", false},
		{"v10.0.1", "", false},
		{"11.0.0-RC2", "", false}, // the pattern is case-sensitive
		{"10.0.0-gamma", "", false},
		{"10.0.0-rc2-dev", "", false},
		{"1.2.3.4.5", "", false},
		{"10.0.16 (installation-mode:TARBALL)", "", false},
		{" 10.0.16", "", false},
		{"10.0.16\n\n", "", false},
	} {
		got, ok := Normalize(tc.in)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestCheckGLPI(t *testing.T) {
	for _, tc := range []struct {
		constraint, glpi string
		want             bool
	}{
		{"~11.0", "11.0.0-rc2", true},
		{"=11.0.0", "11.0.0-rc2", true}, // Check alone says false
		{"<11.0", "11.0.0-rc2", false},
		{"~10.0", "10.0.16", true},
		{">=9.5 <10.0", "9.5.13", true},
		{"~10.0", "11.0.0", false},
		{"~11.0", "11.0.0-RC2", true}, // not normalised, checked as given
		{"~11.0", "garbage", false},
		{"", "garbage", true},
	} {
		c, err := ParseConstraint(tc.constraint)
		if err != nil {
			t.Fatalf("ParseConstraint(%q): %v", tc.constraint, err)
		}
		if got := CheckGLPI(c, tc.glpi); got != tc.want {
			t.Errorf("CheckGLPI(%q, %q) = %v, want %v", tc.constraint, tc.glpi, got, tc.want)
		}
	}
	c, _ := ParseConstraint("=11.0.0")
	if c.Check("11.0.0-rc2") {
		t.Errorf(`ParseConstraint("=11.0.0").Check("11.0.0-rc2") = true, want false`)
	}
}
