package main

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/internal/testkit"
)

// upload posts an archive through the operator's upload form.
func (b *browser) upload(path, file string, fields map[string]string) (int, string) {
	b.t.Helper()
	return b.uploadNamed(path, file, filepath.Base(file), fields)
}

// uploadAs posts an archive under another file name.
func (b *browser) uploadAs(path, file, name string) (int, string) {
	b.t.Helper()
	return b.uploadNamed(path, file, name, nil)
}

func (b *browser) uploadNamed(path, file, name string, fields map[string]string) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("archive", name)
	data, err := os.ReadFile(file)
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.read(b.c.Do(req))
}

func operatorBrowser(t *testing.T, ts *testServer) *browser {
	hash, _ := auth.HashPassword("operator password", auth.DefaultParams)
	if err := ts.DB.CreateUser(glpinet.WithActor(t.Context(), "test"), &glpinet.User{Email: "ops@provider.example", Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	op := newBrowser(t, ts.URL())
	op.get("/login")
	op.post("/login", "email", "ops@provider.example", "password", "operator password")
	return op
}

// TestOperatorUpload: an operator uploads a version in the browser; it
// appears in the GLPI catalogue, downloadable for an entitled key only.
func TestOperatorUpload(t *testing.T) {
	ts := startServer(t, nil)
	op := operatorBrowser(t, ts)
	op.get("/operator/plugins")
	archive := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "premium", Version: "2.1.0", MinGLPI: "10.0.0", MaxGLPI: "12.0.0", Format: "zip"})
	status, body := op.upload("/operator/plugins", archive, map[string]string{"required_offers": "basic", "tags": "security"})
	if status != 200 || !strings.Contains(body, "Published: premium 2.1.0") {
		t.Fatalf("upload: %d %.300s", status, body)
	}
	find := func(offer string) *glpinetVersion {
		plugins, _, err := ts.glpi(offer, "10.0.16").Plugins(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range plugins {
			if p.Key == "premium" && len(p.Versions) == 1 {
				return &glpinetVersion{name: p.Name, url: p.Versions[0].DownloadURL}
			}
		}
		return nil
	}
	eventually(t, func() error {
		if find("basic") == nil {
			return fmt.Errorf("the uploaded plugin is not in the catalogue yet")
		}
		return nil
	})
	if v := find("basic"); v.url == nil {
		t.Fatal("a basic key gets no download URL for a basic plugin")
	}
	if v := find("registered"); v.url != nil {
		t.Fatal("a registered key got a download URL for a basic plugin")
	}

	// A rejected upload says why and stores nothing.
	bad := filepath.Join(t.TempDir(), "glpi-bad-1.0.tar.gz")
	os.WriteFile(bad, []byte("not an archive"), 0o644)
	status, body = op.upload("/operator/plugins", bad, nil)
	if status != 400 || !strings.Contains(body, "class=\"error\"") {
		t.Fatalf("bad upload: %d %.300s", status, body)
	}
	// Re-uploading the same version is refused without "force".
	if status, body := op.upload("/operator/plugins", archive, nil); status != 400 || !strings.Contains(body, "already published") {
		t.Fatalf("duplicate upload: %d", status)
	}

	// Editing the text reaches the catalogue.
	op.get("/operator/plugins/premium")
	if status, _ := op.post("/operator/plugins/premium", "name", "Premium Security", "short_en", "Hardening", "short_fr", "Durcissement", "tags", "security"); status != 200 {
		t.Fatalf("edit: %d", status)
	}
	eventually(t, func() error {
		if v := find("basic"); v == nil || v.name != "Premium Security" {
			return fmt.Errorf("edited name not in the catalogue: %+v", v)
		}
		return nil
	})
	// Withdrawing the version removes it from the catalogue.
	op.get("/operator/plugins")
	if status, _ := op.post("/operator/plugins/premium/versions/2.1.0/yank", "yanked", "1"); status != 200 {
		t.Fatalf("yank: %d", status)
	}
	eventually(t, func() error {
		if find("basic") != nil {
			return fmt.Errorf("the withdrawn version is still listed")
		}
		return nil
	})
}

type glpinetVersion struct {
	name string
	url  *string
}
