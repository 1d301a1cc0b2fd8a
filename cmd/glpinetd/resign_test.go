package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/signing"
)

// TestLostSigningKey: with the signing key lost, glpinetd refuses to serve
// the catalogue with a new key; "plugin resign" makes a new key and signs
// every version with it, after which the server starts and its signatures
// verify with the public key it serves.
func TestLostSigningKey(t *testing.T) {
	ts := startServer(t, func(t *testing.T, ctx context.Context, db Store, pub *publish.Publisher) {
		publishOrFail(t, ctx, pub, testkit.Plugin{Key: "hello", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "11.1.0"}, glpinet.PublishOptions{})
	})
	sf := ts.Store
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(sf.signingKeyPath()); err != nil {
		t.Fatal(err)
	}
	m := &Main{Addr: "127.0.0.1:0", Store: sf, Logger: ts.Logger}
	if err := m.Open(t.Context()); err == nil || !strings.Contains(err.Error(), "copy signing.key") {
		m.Close()
		t.Fatalf("started without the key that signed the catalogue: %v", err)
	}

	var stdout, stderr bytes.Buffer
	// Without --new-key, a missing key is a mistake (the wrong host).
	if code := run(t.Context(), []string{"plugin", "resign", "--data", sf.data}, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "--new-key") {
		t.Fatalf("plugin resign without a key and without --new-key: exit %d: %s", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), []string{"plugin", "resign", "--new-key", "--data", sf.data}, &stdout, &stderr); code != 0 {
		t.Fatalf("plugin resign: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "1 version re-signed") || !strings.Contains(stdout.String(), "Created a new signing key") {
		t.Fatalf("plugin resign said: %s", stdout.String())
	}

	m = &Main{Addr: "127.0.0.1:0", Store: sf, Logger: ts.Logger}
	if err := m.Open(t.Context()); err != nil {
		t.Fatalf("after resign: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	c := &testServer{Main: m}
	glpi := c.glpi("", "10.0.16")
	pubKey, err := glpi.SigningKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	plugins, _, err := glpi.Plugins(t.Context())
	if err != nil || len(plugins) != 1 || len(plugins[0].Versions) != 1 {
		t.Fatalf("catalogue: %v, %v", plugins, err)
	}
	v := plugins[0].Versions[0]
	sig, _ := base64.StdEncoding.DecodeString(v.Signature)
	if !signing.Verify(pubKey, "hello", v.Num, v.SHA256, sig) {
		t.Fatal("the re-signed version does not verify with the served public key")
	}

	// Re-signed elsewhere with yet another key while the server runs: its
	// /readyz says so, but stays 200, so that such a mistake does not take
	// every replica out of the load balancer.
	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), []string{"plugin", "resign", "--new-key", "--data", t.TempDir(), "--database", sf.sqlitePath()}, &stdout, &stderr); code != 0 {
		t.Fatalf("plugin resign elsewhere: exit %d: %s", code, stderr.String())
	}
	eventually(t, func() error {
		res, err := http.Get(m.URL() + "/readyz")
		if err != nil {
			return err
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "differs") {
			return fmt.Errorf("/readyz = %d %s", res.StatusCode, body)
		}
		return nil
	})
}
