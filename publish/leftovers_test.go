package publish

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/google/go-cmp/cmp"
)

func TestFindLeftovers(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string, age time.Duration) string {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o750)
		os.WriteFile(p, []byte("12345"), 0o640)
		at := time.Now().Add(-age)
		os.Chtimes(p, at, at)
		return p
	}
	write("foo/1.0.0/abcd/glpi-foo-1.0.0.zip", 0)
	write("foo/0.9.0/beef/glpi-foo-0.9.0.zip", 0) // yanked, still used
	orphan := write("foo/1.0.0/0000/glpi-foo-1.0.0.zip", 0)
	stale := write("foo/2.0.0/ffff/.upload-123", 2*time.Hour)
	write("foo/2.0.0/eeee/.upload-456", time.Minute) // being written
	staleTmp := write("foo/3.0.0/aaaa/.glpi-foo-3.0.0.zip.tmp-AB12CD34EF56", 2*time.Hour)
	write("foo/3.0.0/bbbb/.glpi-foo-3.0.0.zip.tmp-0123456789AB", time.Minute) // being written
	cat := glpinet.NewCatalogue(1, []*glpinet.Plugin{{Key: "foo", Versions: []*glpinet.Version{
		{Num: "1.0.0", Archive: glpinet.Archive{Path: "foo/1.0.0/abcd/glpi-foo-1.0.0.zip"}},
		{Num: "0.9.0", Yanked: true, Archive: glpinet.Archive{Path: "foo/0.9.0/beef/glpi-foo-0.9.0.zip"}},
	}}}, glpinet.DefaultOffers(), nil)
	l, err := FindLeftovers(dir, cat, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := Leftovers{Partial: []string{stale, staleTmp}, Orphans: []string{orphan}, OrphanBytes: 5}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Fatalf("leftovers (-want +got):\n%s", diff)
	}
	if err := l.RemovePartial(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{stale, staleTmp} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("stale partial file still there: %v", err)
		}
	}
	if _, err := FindLeftovers(filepath.Join(dir, "missing"), cat, time.Now(), time.Hour); err != nil {
		t.Errorf("missing folder: %v", err)
	}
}
