package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/glpinet/glpinet"
)

func TestStabilityOf(t *testing.T) {
	for in, want := range map[string]string{"1.0.0": "stable", "1.0.0-dev": "dev", "2.0.0-alpha2": "alpha", "2.0.0-beta1": "beta", "2.0.0-RC1": "RC", "2.0.0-rc.2": "RC"} {
		if got := StabilityOf(in); got != want {
			t.Errorf("StabilityOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCopyAtomicChecksDigest: what is stored must be what was inspected.
func TestCopyAtomicChecksDigest(t *testing.T) {
	dir := t.TempDir()
	data := []byte("archive bytes")
	sum := sha256.Sum256(data)
	dst := filepath.Join(dir, "a", "b.zip")
	if _, err := copyAtomic(bytes.NewReader([]byte("other bytes")), hex.EncodeToString(sum[:]), dst); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("changed content: err = %v, want EINVALID", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatal("a file that failed the digest check was stored")
	}
	created, err := copyAtomic(bytes.NewReader(data), hex.EncodeToString(sum[:]), dst)
	if err != nil || !created {
		t.Fatalf("copy = %v, %v", created, err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatal("stored bytes differ")
	}
	if created, err := copyAtomic(bytes.NewReader(data), hex.EncodeToString(sum[:]), dst); err != nil || created {
		t.Fatalf("second copy = %v, %v; want the existing file kept", created, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dst))
	if len(entries) != 1 {
		t.Fatalf("%d files in the archive folder, want 1 (no temporary left)", len(entries))
	}
}
