package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/testkit"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/signing"
	"github.com/jackc/pgx/v5"
)

// TestReplicasWithoutSharedDisk: two glpinetd on one PostgreSQL database,
// each with a data folder of its own (only signing.key copied, the secret
// replicas share). An archive published through the first is downloaded
// from the second, which fetches it from the database once, checks it and
// keeps it; a copy in the database that fails the check is never served.
func TestReplicasWithoutSharedDisk(t *testing.T) {
	f := newPGFixture(t)
	dataA, dataB := t.TempDir(), t.TempDir()
	a := startReplica(t, f.dsn, dataA)
	key, err := os.ReadFile(filepath.Join(dataA, "signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataB, "signing.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	b := startReplica(t, f.dsn, dataB)
	ctx := glpinet.WithActor(t.Context(), "test")

	// 8 MiB that do not compress: eight chunks in the database.
	noise := make([]byte, 8<<20)
	rand.Read(noise)
	path := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "nodisk", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "11.1.0",
		Files: map[string]string{"data/blob.bin": string(noise)}})
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.HTTP.Publisher.(*publish.Publisher).Publish(ctx, path, glpinet.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.FromSlash(res.Version.Archive.Path)

	var v client.Version
	within(t, "new plugin in replica b's catalogue", func() bool {
		plugins, _, err := glpiClient(b, "").Plugins(t.Context())
		for _, p := range plugins {
			if p.Key == "nodisk" && len(p.Versions) == 1 {
				v = p.Versions[0]
			}
		}
		return err == nil && v.DownloadURL != nil
	})
	if _, err := os.Stat(filepath.Join(dataB, "archives", rel)); !os.IsNotExist(err) {
		t.Fatalf("replica b has the archive before any download: %v", err)
	}

	download := func() ([]byte, time.Duration, error) {
		var buf bytes.Buffer
		start := time.Now()
		_, _, err := glpiClient(b, "").DownloadVersion(t.Context(), v, &buf)
		return buf.Bytes(), time.Since(start), err
	}
	got, first, err := download()
	if err != nil {
		t.Fatalf("first download from replica b: %v", err)
	}
	pub, err := glpiClient(b, "").SigningKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(got)
	sig, _ := base64.StdEncoding.DecodeString(v.Signature)
	switch {
	case !bytes.Equal(got, want):
		t.Fatalf("replica b served %d bytes, not the %d published", len(got), len(want))
	case hex.EncodeToString(sum[:]) != v.SHA256 || v.Size != int64(len(want)):
		t.Fatalf("catalogue says %d bytes, SHA-256 %s; got %x", v.Size, v.SHA256, sum)
	case !signing.Verify(pub, "nodisk", "1.0.0", v.SHA256, sig):
		t.Fatal("the signature does not verify with replica b's public key")
	}
	cached := filepath.Join(dataB, "archives", rel)
	if kept, err := os.ReadFile(cached); err != nil || !bytes.Equal(kept, want) {
		t.Fatalf("replica b's cached copy: %d bytes, %v", len(kept), err)
	}
	_, again, err := download()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d MiB from replica b: first download (from the database) %v, cached %v",
		len(want)>>20, first.Round(time.Millisecond), again.Round(time.Millisecond))

	// The copy in the database damaged (one byte of the third chunk),
	// the cached file deleted: replica b refuses, sends none of it, and
	// keeps nothing.
	conn, err := pgx.Connect(t.Context(), f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	tag, err := conn.Exec(t.Context(), `UPDATE archive_chunks SET data = set_byte(data, 7, get_byte(data, 7) # 255) WHERE sha256 = $1 AND seq = 2`, v.SHA256)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("damaging the blob: %v, %v", tag, err)
	}
	if err := os.Remove(cached); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(*v.DownloadURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e struct{ Code, Message string }
	if resp.StatusCode != http.StatusInternalServerError || json.Unmarshal(body, &e) != nil || e.Code != glpinet.EINTERNAL ||
		!strings.Contains(e.Message, "fails verification") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("damaged blob: %d %s %q, want 500 with a JSON error", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if len(body) > 1024 {
		t.Fatalf("the refusal carries %d bytes", len(body))
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(cached), "*"))
	left2, _ := filepath.Glob(filepath.Join(filepath.Dir(cached), ".*"))
	if len(left)+len(left2) != 0 {
		t.Fatalf("replica b kept files of the damaged blob: %v %v", left, left2)
	}
	// Replica a still serves its own copy, checked when it was published.
	onA := strings.Replace(*v.DownloadURL, b.URL(), a.URL(), 1)
	if _, n, err := glpiClient(a, "").Download(t.Context(), onA, io.Discard); err != nil || n != int64(len(want)) {
		t.Fatalf("replica a with its local copy: %v", err)
	}
}
