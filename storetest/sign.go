package storetest

import (
	"bytes"
	"testing"

	"github.com/glpinet/glpinet"
)

// testSignVersions: re-signing changes only the signatures that differ,
// keeps every other field (a withdrawn version stays withdrawn), and is
// announced on the change feed.
func testSignVersions(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	p := samplePlugin("reports")
	for _, num := range []string{"1.0.0", "1.1.0"} {
		v := sampleVersion(num, "basic")
		v.Archive.Signature = []byte("old-" + num)
		if err := s.PublishVersion(ctx, p, v, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.YankVersion(ctx, "reports", "1.0.0", true); err != nil {
		t.Fatal(err)
	}
	before, err := s.LastChangeID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(v *glpinet.Version) []byte {
		if v.Num == "1.1.0" {
			return v.Archive.Signature // already right: unchanged
		}
		return []byte("new-" + v.PluginKey + "-" + v.Num + "-" + v.Archive.SHA256)
	}
	n, err := s.SignVersions(ctx, sign)
	if err != nil || n != 1 {
		t.Fatalf("SignVersions = %d, %v; want 1 changed", n, err)
	}
	got, err := s.FindPlugin(ctx, "reports")
	if err != nil {
		t.Fatal(err)
	}
	v0, v1 := got.Versions[0], got.Versions[1]
	if !bytes.Equal(v0.Archive.Signature, []byte("new-reports-1.0.0-ab")) || !bytes.Equal(v1.Archive.Signature, []byte("old-1.1.0")) {
		t.Fatalf("signatures %q, %q", v0.Archive.Signature, v1.Archive.Signature)
	}
	if !v0.Yanked || v0.Archive.SHA256 != "ab" || len(v0.RequiredOffers) != 1 {
		t.Fatalf("re-signing changed other fields: %+v", v0)
	}
	changes, err := s.ChangesSince(ctx, before, 10)
	if err != nil || len(changes) != 1 || changes[0].Topic != glpinet.TopicCatalogue {
		t.Fatalf("changes after re-signing = %+v, %v", changes, err)
	}
	if n, err := s.SignVersions(ctx, func(v *glpinet.Version) []byte { return v.Archive.Signature }); err != nil || n != 0 {
		t.Fatalf("nothing to re-sign: %d, %v", n, err)
	}
}
