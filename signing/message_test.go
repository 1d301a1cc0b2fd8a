package signing

import (
	"crypto/ed25519"
	"encoding/hex"
	"testing"
)

// TestMessageBytes holds the signed message and a signature made before
// this package existed: signatures already published must keep verifying,
// so neither may change by one byte.
func TestMessageBytes(t *testing.T) {
	const sha = "3f786850e387550fdab836ed7e6dc881de23001b"
	if got, want := string(Message("hello", "1.0.0", sha)), "glpinet-archive-v1\nhello\n1.0.0\n"+sha+"\n"; got != want {
		t.Fatalf("Message = %q, want %q", got, want)
	}
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	if got := PublicKeyText(pub); got != "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=" {
		t.Fatalf("PublicKeyText = %s", got)
	}
	old, _ := hex.DecodeString("90864f9d0b28e9d1c9bd4256ca5cc0abaebc2242532b9acba8775ff72fbfdceb578ab1ade5b6ee39ca4cf185feeb6e35c4c33d030218b61f862d61795d35a003")
	if !Verify(pub, "hello", "1.0.0", sha, old) {
		t.Fatal("a signature made by an earlier glpinetd no longer verifies")
	}
	if got := Sign(priv, "hello", "1.0.0", sha); hex.EncodeToString(got) != hex.EncodeToString(old) {
		t.Fatalf("Sign = %x, want %x", got, old)
	}
	for _, moved := range [][3]string{{"other", "1.0.0", sha}, {"hello", "1.0.1", sha}, {"hello", "1.0.0", sha[1:] + "0"}} {
		if Verify(pub, moved[0], moved[1], moved[2], old) {
			t.Errorf("the signature verifies for %v", moved)
		}
	}
	if Verify(pub[:31], "hello", "1.0.0", sha, old) {
		t.Error("a truncated public key verified")
	}
}

func TestParsePublicKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	if got, ok := ParsePublicKey(Algorithm, PublicKeyText(pub)); !ok || !got.Equal(pub) {
		t.Fatalf("ParsePublicKey(PublicKeyText) = %x, %v", got, ok)
	}
	for _, bad := range [][2]string{{"rsa", PublicKeyText(pub)}, {Algorithm, "not base64!"}, {Algorithm, "AAAA"}} {
		if _, ok := ParsePublicKey(bad[0], bad[1]); ok {
			t.Errorf("ParsePublicKey(%q, %q) accepted", bad[0], bad[1])
		}
	}
}
