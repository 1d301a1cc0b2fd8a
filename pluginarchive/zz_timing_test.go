package pluginarchive

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestZZTiming(t *testing.T) {
	dir := os.Getenv("CORPUS")
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		raw, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		lines := strings.Split(string(raw), "\n")
		b, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Log(err)
			continue
		}
		k, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(lines[2], "byte("), ")"))
		k2 := strings.TrimSuffix(strings.TrimPrefix(lines[2], "uint8("), ")")
		kk, _ := strconv.Atoi(k2)
		_ = k
		start := time.Now()
		_, err = Inspect(bytes.NewReader([]byte(b)), int64(len(b)), fuzzNames[kk%3], fuzzLimits)
		t.Logf("%s len=%d kind=%d %v: %v", e.Name(), len(b), kk, time.Since(start), err)
	}
}
