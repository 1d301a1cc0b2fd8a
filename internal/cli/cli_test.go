package cli

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFlagsAnywhere(t *testing.T) {
	fs := flag.NewFlagSet("key set", flag.ContinueOnError)
	j := fs.Bool("json", false, "")
	root := fs.String("glpi-root", ".", "")
	pos, err := ParseFlags("glpinet", fs, []string{"KEY", "--json", "--glpi-root", "/srv/glpi", "--", "-not-a-flag"})
	if err != nil || !*j || *root != "/srv/glpi" {
		t.Fatalf("flags: %v %v %q", err, *j, *root)
	}
	if diff := cmp.Diff([]string{"KEY", "-not-a-flag"}, pos); diff != "" {
		t.Fatal(diff)
	}
	var help *HelpRequest
	if _, err := ParseFlags("glpinet", fs, []string{"-h"}); !errors.As(err, &help) || !strings.Contains(help.Text, "-glpi-root") {
		t.Fatalf("help: %v", err)
	}
	var ue *UsageError
	if _, err := ParseFlags("glpinet", fs, []string{"--nope"}); !errors.As(err, &ue) {
		t.Fatalf("unknown flag: %v", err)
	}
}

func TestMoveLeadingFlags(t *testing.T) {
	got := MoveLeadingFlags([]string{"--json", "--glpi-root", "/srv", "key", "show"}, map[string]bool{"glpi-root": true})
	if diff := cmp.Diff([]string{"key", "show", "--json", "--glpi-root", "/srv"}, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestFail(t *testing.T) {
	var out, errb bytes.Buffer
	remedy := func(error) string { return "do this" }
	for _, tt := range []struct {
		err         error
		code        int
		out, errOut string
	}{
		{&HelpRequest{"usage\n"}, 0, "usage\n", ""},
		{Usagef("bad"), 2, "", "p: bad (run 'p help' for usage)\n"},
		{&ExitError{"not usable"}, 1, "", "p: not usable\n"},
		{errors.New("boom."), 1, "", "p: boom; do this.\n"},
	} {
		out.Reset()
		errb.Reset()
		if code := Fail("p", &out, &errb, tt.err, remedy); code != tt.code || out.String() != tt.out || errb.String() != tt.errOut {
			t.Errorf("%v: %d %q %q", tt.err, code, out.String(), errb.String())
		}
	}
}
