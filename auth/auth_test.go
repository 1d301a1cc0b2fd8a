package auth

import (
	"errors"
	"strings"
	"testing"
)

// testParams keep the tests fast; the format is the same.
var testParams = Params{Memory: 64, Time: 1, Threads: 1}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", testParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash = %q", h)
	}
	if err := CheckPassword("correct horse battery staple", h); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := CheckPassword("correct horse battery stapler", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	h2, _ := HashPassword("correct horse battery staple", testParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if !NeedsRehash(h, DefaultParams) || NeedsRehash(h, testParams) {
		t.Fatal("NeedsRehash")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)} {
		if err := CheckPassword("x", bad); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("CheckPassword(%q) = %v, want a malformed-hash error", bad, err)
		}
	}
	if _, err := HashPassword(strings.Repeat("x", 2000), testParams); err == nil {
		t.Fatal("an oversize password was hashed")
	}
}

func TestTokens(t *testing.T) {
	a, _ := NewToken(PrefixAPIToken)
	b, _ := NewToken(PrefixAPIToken)
	if a == b || !strings.HasPrefix(a, "gnt_") || len(a) != 4+52 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashToken(a) != HashToken(" "+a+"\n") || HashToken(a) == HashToken(b) {
		t.Fatal("HashToken")
	}
	if d := TokenDisplay(a); d != a[:10] {
		t.Fatalf("display %q", d)
	}
}

func FuzzCheckPassword(f *testing.F) {
	h, _ := HashPassword("pw", testParams)
	f.Add("pw", h)
	f.Add("x", "$argon2id$v=19$m=64,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, pw, phc string) {
		CheckPassword(pw, phc) // must not panic or allocate without bound
	})
}
