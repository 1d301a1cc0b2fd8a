package glpicrypt

import (
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

// php runs a PHP snippet with Debian's php-cli, whose sodium extension is
// what GLPI uses. The test fails, rather than skips, without it: CI
// installs php-cli.
func php(t *testing.T, code string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("php")
	if err != nil {
		t.Fatal("the compatibility test needs PHP: apt-get install -y php-cli (.ci/run installs it)")
	}
	out, err := exec.Command(bin, append([]string{"-r", code, "--"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("php: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestCompatibleWithPHP: a value glpinet encrypts decrypts with PHP's
// sodium the way GLPIKey::decrypt does, and a value PHP encrypts the way
// GLPIKey::encrypt does decrypts with glpinet.
func TestCompatibleWithPHP(t *testing.T) {
	k, _ := NewKey()
	keyHex := hex.EncodeToString(k[:])
	secret := "gnk_abcdefghijklmnopqrstuvwxyz_abcdefg p@ss:wörd"

	enc, err := k.Encrypt(secret)
	if err != nil {
		t.Fatal(err)
	}
	// GLPIKey::decrypt: base64-decode, nonce = first 24 bytes, AD = nonce
	// (GLPI slices with mb_substr in 8bit mode, which is substr).
	got := php(t, `$key = hex2bin($argv[1]); $raw = base64_decode($argv[2]);
$nonce = substr($raw, 0, SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES);
$ct = substr($raw, SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES);
$pt = sodium_crypto_aead_xchacha20poly1305_ietf_decrypt($ct, $nonce, $nonce, $key);
echo $pt === false ? "FAILED" : $pt;`, keyHex, enc)
	if got != secret {
		t.Fatalf("PHP decrypted glpinet's value as %q, want %q", got, secret)
	}

	// GLPIKey::encrypt: random nonce, AD = nonce, base64(nonce . ct).
	fromPHP := php(t, `$key = hex2bin($argv[1]);
$nonce = random_bytes(SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES);
echo base64_encode($nonce . sodium_crypto_aead_xchacha20poly1305_ietf_encrypt($argv[2], $nonce, $nonce, $key));`, keyHex, secret)
	if pt, err := k.Decrypt(fromPHP); err != nil || pt != secret {
		t.Fatalf("glpinet decrypted PHP's value as %q, %v", pt, err)
	}
}
