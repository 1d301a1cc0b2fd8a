package glpinet

import (
	"strings"
	"testing"
)

const keyAlphabet = "abcdefghijklmnopqrstuvwxyz234567_"

func TestGenerateKeyIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		k, err := GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		if p := CheckKey(k); p != KeyOK {
			t.Fatalf("generated key %q: %s", k, p)
		}
		if len(k) != 38 || seen[k] {
			t.Fatalf("key %q: length %d, seen before %v", k, len(k), seen[k])
		}
		seen[k] = true
	}
}

// TestKeyCatchesEveryTypo changes every character of several keys into
// every other character of the alphabet, and swaps every pair of adjacent
// characters: each change must be detected offline.
func TestKeyCatchesEveryTypo(t *testing.T) {
	for range 20 {
		k, _ := GenerateKey()
		for i := range k {
			for _, c := range []byte(keyAlphabet + "ABCXYZ019-+/ ") {
				if c == k[i] || (c >= 'A' && c <= 'Z' && c+32 == k[i]) {
					continue // the same key, or the same in capitals (keys are case-insensitive)
				}
				typo := k[:i] + string(c) + k[i+1:]
				if p := CheckKey(NormalizeKey(typo)); p == KeyOK {
					t.Fatalf("substituting %q at %d of %s went undetected: %s", c, i, k, typo)
				}
			}
			if i+1 < len(k) && k[i] != k[i+1] {
				swapped := k[:i] + string(k[i+1]) + string(k[i]) + k[i+2:]
				if p := CheckKey(swapped); p == KeyOK {
					t.Fatalf("swapping positions %d and %d of %s went undetected", i, i+1, k)
				}
			}
		}
	}
}

func TestCheckKeyProblems(t *testing.T) {
	k, _ := GenerateKey()
	tests := []struct {
		in   string
		want KeyProblem
	}{
		{k, KeyOK},
		{"", KeyEmpty},
		{"abc", KeyWrongPrefix},
		{"GLPI-NETWORK-KEY-123", KeyWrongPrefix},
		{k[:30], KeyTooShort},
		{k + "a", KeyTooLong},
		{k[:10] + "!" + k[11:], KeyBadChars},
		{k[:10] + "1" + k[11:], KeyBadChars}, // 1 is not in the alphabet
		{k[:36] + "_" + k[37:], KeyChecksum},
	}
	for _, tt := range tests {
		if got := CheckKey(tt.in); got != tt.want {
			t.Errorf("CheckKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.want != KeyOK && tt.want.Description() == "" {
			t.Errorf("%q has no description", tt.want)
		}
	}
}

func TestNormalizeKey(t *testing.T) {
	k, _ := GenerateKey()
	for _, in := range []string{k, " " + k + "\n", "\t" + strings.ToUpper(k) + "\r\n"} {
		if got := NormalizeKey(in); got != k {
			t.Errorf("NormalizeKey(%q) = %q, want %q", in, got, k)
		}
	}
	if p := KeyDisplayPrefix(k); len(p) != 12 || !strings.HasPrefix(k, p) {
		t.Errorf("display prefix %q of %q", p, k)
	}
}

func FuzzCheckKey(f *testing.F) {
	k, _ := GenerateKey()
	f.Add(k)
	f.Add("gnk_")
	f.Add("gnk_" + strings.Repeat("a", 26) + "_aaaaaaa")
	f.Fuzz(func(t *testing.T, s string) {
		p := CheckKey(s)
		if p == KeyOK {
			// Anything accepted is header- and URL-safe and of the fixed shape.
			if len(s) != 38 || strings.Trim(s[4:], keyAlphabet) != "" {
				t.Fatalf("accepted %q", s)
			}
		}
		_ = p.Description()
	})
}

func BenchmarkCheckKey(b *testing.B) {
	k, _ := GenerateKey()
	for b.Loop() {
		CheckKey(k)
	}
}
