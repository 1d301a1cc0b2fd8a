package signing

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing.key")
	k1, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreate(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("reloaded key differs: %v", err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := LoadOrCreate(path); err == nil {
		t.Fatal("a corrupt signing key was accepted (or silently replaced)")
	}
}

// TestLoadOrCreateRace: replicas starting at once on one shared folder
// end with one key, the first creator's.
func TestLoadOrCreateRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "signing.key")
	keys := make(chan []byte, 8)
	for range cap(keys) {
		go func() {
			k, err := LoadOrCreate(path)
			if err != nil {
				t.Error(err)
			}
			keys <- k
		}()
	}
	first := <-keys
	for range cap(keys) - 1 {
		if k := <-keys; !bytes.Equal(k, first) {
			t.Fatal("two processes ended with different keys")
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("left in the folder: %v", entries)
	}
}

func TestSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing.key")
	k1, _ := LoadOrCreate(path)
	k2, _ := LoadOrCreate(filepath.Join(t.TempDir(), "other.key"))
	if err := Save(path, k2); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil || !bytes.Equal(got, k2) || bytes.Equal(got, k1) {
		t.Fatalf("Load after Save: %v", err)
	}
	if b, _ := os.ReadFile(path); len(b) != 32 {
		t.Fatalf("the key file holds %d bytes, want the 32-byte seed", len(b))
	}
}
