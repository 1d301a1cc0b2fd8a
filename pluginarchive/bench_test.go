package pluginarchive

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchZip returns a plugin zip of about 1 MiB: 400 files of 5 KiB of
// PHP-like text, which deflate compresses moderately, like real code.
func benchZip(b *testing.B) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"function", "return", "$this->", "array(", "=>", "'name'", "if (", ") {", "}", ";\n", "PluginFoo", "CommonDBTM"}
	files := []tfile{{name: "foo/setup.php", body: goodSetupPHP}}
	for i := range 400 {
		var body bytes.Buffer
		for body.Len() < 5<<10 {
			body.WriteString(words[rng.IntN(len(words))])
			fmt.Fprintf(&body, "%x ", rng.Uint32())
		}
		files = append(files, tfile{name: fmt.Sprintf("foo/inc/file%03d.class.php", i), body: body.String()})
	}
	return buildZip(b, files)
}

func BenchmarkInspectZip(b *testing.B) {
	data := benchZip(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Inspect(bytes.NewReader(data), int64(len(data)), "foo.zip", DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
