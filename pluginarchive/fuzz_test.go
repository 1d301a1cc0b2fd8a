package pluginarchive

import (
	"bytes"
	"errors"
	"testing"

	"github.com/glpinet/glpinet"
)

// fuzzNames are the archive names FuzzInspect picks from.
var fuzzNames = []string{"p.zip", "p.tar.gz", "p.tar.bz2"}

// fuzzLimits keep each fuzz run cheap while still exercising every limit.
var fuzzLimits = Limits{
	MaxArchiveSize: 1 << 20,
	MaxEntrySize:   1 << 20,
	MaxTotalSize:   4 << 20,
	MaxEntries:     1000,
	MaxRatio:       200,
}

func FuzzInspect(f *testing.F) {
	for i, format := range allFormats {
		data, _ := build(f, format, goodFiles())
		f.Add(data, uint8(i))
	}
	zipData, _ := build(f, FormatZip, with(tfile{name: "foo/HOOK.php", body: "x"}))
	f.Add(zipData, uint8(0))
	tgzData, _ := build(f, FormatTarGz, []tfile{{name: "./"}, {name: "foo/setup.php", body: goodSetupPHP}, {name: "foo/l", typeflag: '2', linkname: "/"}})
	f.Add(tgzData, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		name := fuzzNames[int(kind)%len(fuzzNames)]
		m, err := Inspect(bytes.NewReader(data), int64(len(data)), name, fuzzLimits)
		if err != nil {
			// The source never fails, so every error is the archive's.
			var e *glpinet.Error
			if !errors.As(err, &e) || e.Code != glpinet.EINVALID || e.Message == "" {
				t.Fatalf("got %#v, want an EINVALID error", err)
			}
			return
		}
		if !isPluginKey(m.Key) || m.Version == "" || m.Entries < 1 || len(m.SHA256) != 64 ||
			m.Size != int64(len(data)) || m.UncompressedSize > fuzzLimits.MaxTotalSize {
			t.Fatalf("accepted with an inconsistent manifest: %+v", m)
		}
	})
}

func FuzzParseSetupPHP(f *testing.F) {
	f.Add([]byte(goodSetupPHP), "foo")
	f.Add([]byte(`<?php const V = '1' . "\x41"; function plugin_version_foo() { return array('version' => \V, 'name' => __("n", 'foo')); }`), "foo")
	f.Add([]byte("<?php function plugin_version_foo() { $i = [[[('x')]]]; return $i; } <<<EOT\n$a\n  EOT;"), "foo")
	f.Add([]byte(`<?php class A { const B = 'c'; } define('X', A::B); ?><?= 1 ?>`), "bar")
	f.Fuzz(func(t *testing.T, src []byte, key string) {
		info, err := ParseSetupPHP(src, key)
		if err != nil {
			var e *glpinet.Error
			if !errors.As(err, &e) || e.Code != glpinet.EINVALID {
				t.Fatalf("got %#v, want an EINVALID error", err)
			}
			return
		}
		if info.Version == "" {
			t.Fatalf("accepted without a version: %+v", info)
		}
	})
}
