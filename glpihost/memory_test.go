package glpihost

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// worstInputs are inputs at the size limit of a configuration file that
// make the reader produce as many tokens, brackets or define calls as
// possible (finding 11 of issue 10: a 16 MB config_db.php took 19 s and
// 2.7 GB, about 170 bytes of memory per byte).
func worstInputs() map[string][]byte {
	const n = configFileLimit
	fill := func(prefix, unit, suffix string) []byte {
		k := (n - len(prefix) - len(suffix)) / len(unit)
		return []byte(prefix + strings.Repeat(unit, k) + suffix)
	}
	return map[string][]byte{
		"semicolons":       fill("<?php ", ";", ""),
		"one-char tokens":  fill("<?php ", "a;", ""),
		"unclosed defines": fill("<?php ", "define(", ""),
		"nested defines":   fill("<?php define('A', ", "define('A',", ""),
		"huge array":       fill("<?php define('A', [", "1,", "]);"),
		"deep brackets":    fill("<?php $a = ", "(", ""),
		"property list":    fill("<?php class DB { public $dbhost = 'h', ", "$a,", " $dbuser = 'u', $dbdefault = 'd'; }"),
		"long string":      fill("<?php define('A', '", "x", "');"),
		"escapes":          fill("<?php define('A', \"", "\\x41", "\");"),
	}
}

// TestReaderMemoryBounded checks that reading any file at the size limit
// takes bounded time and memory, linear in its size with a small constant,
// and reports the figures.
func TestReaderMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocations")
	}
	for name, src := range worstInputs() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, _ = Defines(src)
		_, _ = ParseConfigDB(src)
		_, _, _ = SetDefine(src, "GLPI_NETWORK_SERVICES", "https://x")
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(src))
		t.Logf("%-16s %7d bytes: %6.1f bytes allocated per byte, %v", name, len(src), perByte, elapsed.Round(time.Millisecond))
		// Three readers run: Defines, ParseConfigDB and SetDefine (which
		// reads the file, then its result).
		if perByte > 4*80 {
			t.Errorf("%s: %.0f bytes allocated per input byte", name, perByte)
		}
		if elapsed > slowdown*5*time.Second {
			t.Errorf("%s: took %v", name, elapsed)
		}
	}
}

// BenchmarkDefinesWorstCase reports the memory of one read of the densest
// input at the size limit (one token per byte), per input byte, through
// Defines; internal/php's BenchmarkLexWorstCase measures the tokenizer
// alone.
func BenchmarkDefinesWorstCase(b *testing.B) {
	src := worstInputs()["semicolons"]
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Defines(src); err != nil {
			b.Fatal(err)
		}
	}
}
