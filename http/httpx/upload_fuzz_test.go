package httpx

import (
	"strings"
	"testing"
)

// FuzzUploadName: whatever a client names its archive, the name kept is a
// plain file name of a known format, never a path.
func FuzzUploadName(f *testing.F) {
	for _, s := range []string{"glpi-foo-1.0.0.zip", "..", "/", ".", `..\..\x.zip`, "a/b/c.tar.gz", "x\x00.zip", strings.Repeat("a", 300) + ".zip"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := UploadName(raw)
		if err != nil {
			return
		}
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || len(name) > maxUploadName {
			t.Fatalf("UploadName(%q) = %q", raw, name)
		}
		if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("UploadName(%q) = %q has control characters", raw, name)
		}
	})
}
