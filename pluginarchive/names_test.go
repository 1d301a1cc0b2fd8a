package pluginarchive

import (
	"strings"
	"testing"
)

func TestCheckEntryName(t *testing.T) {
	tests := []struct {
		raw     string
		clean   string
		dirHint bool
		err     string // substring of the message; "" for success
	}{
		{raw: "foo/setup.php", clean: "foo/setup.php"},
		{raw: "foo/", clean: "foo", dirHint: true},
		{raw: "./foo/./inc//a.php", clean: "foo/inc/a.php"},
		{raw: "./", clean: "", dirHint: true},
		{raw: ".", clean: ""},
		{raw: "foo/café.php", clean: "foo/café.php"},
		{raw: "foo/..a/a..", clean: "foo/..a/a.."}, // only whole ".." components are parent references
		{raw: "foo/c:/x", clean: "foo/c:/x"},       // a colon later on is not a drive letter
		{raw: "", err: "the name is empty"},
		{raw: "/etc/passwd", err: "absolute paths are not allowed"},
		{raw: "//server/share", err: "absolute paths are not allowed"},
		{raw: "..", err: `".." is not allowed in paths`},
		{raw: "foo/../../etc", err: `".." is not allowed in paths`},
		{raw: "foo/bar/..", err: `".." is not allowed in paths`},
		{raw: `foo\..\..\x`, err: "backslash"},
		{raw: "C:/x", err: "drive letter"},
		{raw: "c:x", err: "drive letter"},
		{raw: "foo/a\x00b", err: "NUL byte"},
		{raw: "foo/a\rb", err: "control character"},
		{raw: "foo/a\u0085b", err: "control character"},
		{raw: "foo/\xc0\xaf", err: "not valid UTF-8"},
		{raw: "foo/" + strings.Repeat("x", 255), clean: "foo/" + strings.Repeat("x", 255)},
		{raw: "foo/" + strings.Repeat("x", 256), err: "longer than 255 bytes"},
		{raw: "foo" + strings.Repeat("/x", 511), err: "longer than 1024 bytes"},
	}
	for _, tt := range tests {
		clean, dirHint, err := checkEntryName(tt.raw)
		switch {
		case tt.err != "":
			wantInvalid(t, err, tt.err)
		case err != nil:
			t.Errorf("checkEntryName(%q): %v", tt.raw, err)
		case clean != tt.clean || dirHint != tt.dirHint:
			t.Errorf("checkEntryName(%q) = %q, %v; want %q, %v", tt.raw, clean, dirHint, tt.clean, tt.dirHint)
		}
	}
}

func TestFoldKey(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"foo/setup.php", "FOO/SETUP.PHP", true},
		{"k", "\u212a", true},         // Kelvin sign
		{"s", "\u017f", true},         // long s
		{"σ", "ς", true},              // final sigma
		{"straße", "STRASSE", false},  // simple folding: ß is not "ss"
		{"café", "cafe\u0301", false}, // Unicode normalisation is not applied
	}
	for _, tt := range tests {
		if same := foldKey(tt.a) == foldKey(tt.b); same != tt.same {
			t.Errorf("foldKey(%q) == foldKey(%q) is %v, want %v", tt.a, tt.b, same, tt.same)
		}
	}
	s := "foo/inc/a.php"
	if got := foldKey(s); got != s {
		t.Errorf("foldKey(%q) = %q", s, got)
	}
}

func TestIsPluginKey(t *testing.T) {
	for s, want := range map[string]bool{
		"foo": true, "formcreator": true, "glpi2mdt": true, "0": true,
		"": false, "Foo": false, "glpi-foo": false, "foo_bar": false, "foo.1": false, "fóo": false,
	} {
		if got := isPluginKey(s); got != want {
			t.Errorf("isPluginKey(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		name string
		want Format
	}{
		{"foo.zip", FormatZip},
		{"FOO-1.0.ZIP", FormatZip},
		{"foo.tar.gz", FormatTarGz},
		{"foo.TGZ", FormatTarGz},
		{"foo.tar.bz2", FormatTarBz2},
		{"/tmp/x/foo.tbz2", FormatTarBz2},
		{"foo.gz", ""},
		{"foo.tar", ""},
		{"foo.bz2", ""},
		{"foo.rar", ""},
		{"foo", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := FormatOf(tt.name)
		if tt.want == "" {
			wantInvalid(t, err, "is not a supported plugin archive")
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestSniff(t *testing.T) {
	for head, want := range map[string]Format{
		"PK\x03\x04rest": FormatZip,
		"PK\x05\x06":     FormatZip,
		"\x1f\x8b\x08":   FormatTarGz,
		"BZh9":           FormatTarBz2,
		"PK":             "",
		"ustar":          "",
		"":               "",
	} {
		if got := sniff([]byte(head)); got != want {
			t.Errorf("sniff(%q) = %q, want %q", head, got, want)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	if got := (Limits{}).withDefaults(); got != DefaultLimits() {
		t.Errorf("zero Limits with defaults = %+v, want %+v", got, DefaultLimits())
	}
	l := Limits{MaxEntries: 3}.withDefaults()
	if l.MaxEntries != 3 || l.MaxArchiveSize != DefaultLimits().MaxArchiveSize {
		t.Errorf("withDefaults overrode a set field or missed an unset one: %+v", l)
	}
}
