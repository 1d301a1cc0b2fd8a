package glpicrypt

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	k, _ := NewKey()
	for _, s := range []string{"gnk_x", "p@ss:word", strings.Repeat("é", 1000), "\x00binary"} {
		enc, err := k.Encrypt(s)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := k.Decrypt(enc); err != nil || got != s {
			t.Fatalf("round trip of %q: %q, %v", s, got, err)
		}
	}
	a, _ := k.Encrypt("same")
	b, _ := k.Encrypt("same")
	if a == b {
		t.Fatal("two encryptions of one value are equal: the nonce is not random")
	}
	if enc, _ := k.Encrypt(""); enc != "" {
		t.Fatal("an empty value must stay empty, as in GLPI")
	}
}

func TestDecryptFailures(t *testing.T) {
	k, _ := NewKey()
	other, _ := NewKey()
	enc, _ := k.Encrypt("secret")
	for name, v := range map[string]string{
		"other key":  mustEncrypt(t, other, "secret"),
		"not base64": "!!!",
		"too short":  "AAAA",
		"tampered":   enc[:len(enc)-4] + "AAA=",
	} {
		if _, err := k.Decrypt(v); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: err = %v, want ErrDecrypt", name, err)
		}
	}
}

func mustEncrypt(t *testing.T, k Key, s string) string {
	enc, err := k.Encrypt(s)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.key")
	os.WriteFile(good, make([]byte, 32), 0o600)
	if _, err := LoadKey(good); err != nil {
		t.Fatal(err)
	}
	var ke *KeyError
	if _, err := LoadKey(filepath.Join(dir, "missing.key")); !errors.As(err, &ke) || ke.Reason != "missing" {
		t.Fatalf("missing: %v", err)
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, make([]byte, 33), 0o600) // e.g. a trailing newline added by an editor
	if _, err := LoadKey(short); !errors.As(err, &ke) || ke.Reason != "wrong_size" || ke.Size != 33 || !strings.Contains(err.Error(), "33 bytes") {
		t.Fatalf("wrong size: %v", err)
	}
}

func FuzzDecrypt(f *testing.F) {
	k, _ := NewKey()
	enc, _ := k.Encrypt("gnk_example")
	f.Add(enc)
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		pt, err := k.Decrypt(s)
		if err == nil && s != "" {
			// Anything that decrypts must have been made with the key.
			if again, err := k.Decrypt(mustEncrypt(t, k, pt)); err != nil || again != pt {
				t.Fatalf("re-encryption of %q failed", pt)
			}
		}
	})
}
