package main

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// buildBinaries compiles the two commands for the image's platform, as
// packaging/build-image.sh does.
func buildBinaries(t *testing.T) (glpinetd, glpinet string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds both commands: not with -short")
	}
	dir := t.TempDir()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the binaries: %v", err)
	}
	for _, name := range []string{"glpinetd", "glpinet"} {
		cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, name), "../../cmd/"+name)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", name, err, out)
		}
	}
	return filepath.Join(dir, "glpinetd"), filepath.Join(dir, "glpinet")
}

func TestImage(t *testing.T) {
	glpinetd, glpinet := buildBinaries(t)
	o := Options{Glpinetd: glpinetd, Glpinet: glpinet, CACerts: "/etc/ssl/certs/ca-certificates.crt",
		Created: time.Unix(1764000000, 0).UTC(), Version: "v1.2.3", Revision: "abc123",
		Source: "https://github.com/glpinet/glpinet", Licenses: "NOASSERTION"}
	if _, err := os.Stat(o.CACerts); err != nil {
		// The test needs some PEM file; the content is only copied.
		o.CACerts = filepath.Join(t.TempDir(), "ca.crt")
		os.WriteFile(o.CACerts, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)
	}

	// Two builds from the same inputs: same digest, same archive bytes.
	dir := t.TempDir()
	var digests []v1.Hash
	var archives [][]byte
	for _, name := range []string{"a.tar", "b.tar"} {
		img, err := Build(o)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := WriteArchive(path, img, o.Created); err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		digests, archives = append(digests, d), append(archives, b)
	}
	if digests[0] != digests[1] {
		t.Errorf("two builds, two digests: %s and %s", digests[0], digests[1])
	}
	if !bytes.Equal(archives[0], archives[1]) {
		t.Error("two builds, different archive bytes")
	}
	t.Logf("archive %d bytes, image %s", len(archives[0]), digests[0])

	// Read the archive back as what it claims to be: an OCI layout.
	ldir := t.TempDir()
	untar(t, bytes.NewReader(archives[0]), ldir)
	idx, err := layout.ImageIndexFromPath(ldir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		t.Fatalf("%d manifests in index.json, want 1", len(im.Manifests))
	}
	if got := im.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; got != Ref {
		t.Errorf("ref.name %q, want %q", got, Ref)
	}
	if im.Manifests[0].Digest != digests[0] {
		t.Errorf("index names %s, built %s", im.Manifests[0].Digest, digests[0])
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" || !cf.Created.Equal(o.Created) {
		t.Errorf("platform %s/%s created %v", cf.OS, cf.Architecture, cf.Created)
	}
	c := cf.Config
	if c.User != "65532:65532" {
		t.Errorf("user %q", c.User)
	}
	if diff := cmp.Diff([]string{"/usr/bin/glpinetd", "serve"}, c.Entrypoint); diff != "" {
		t.Errorf("entrypoint (-want +got):\n%s", diff)
	}
	for _, e := range []string{"GLPINET_DATA=/data", "GLPINET_ADDR=:8080"} {
		if !strings.Contains(strings.Join(c.Env, "\n")+"\n", e+"\n") {
			t.Errorf("env %q lacks %s", c.Env, e)
		}
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports %v", c.ExposedPorts)
	}
	if _, ok := c.Volumes["/data"]; !ok || c.WorkingDir != "/data" {
		t.Errorf("volumes %v, working dir %q", c.Volumes, c.WorkingDir)
	}
	if c.Healthcheck == nil || !cmp.Equal(c.Healthcheck.Test, []string{"CMD", "/usr/bin/glpinetd", "healthcheck"}) {
		t.Errorf("healthcheck %+v", c.Healthcheck)
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.source": o.Source, "org.opencontainers.image.version": o.Version,
		"org.opencontainers.image.revision": o.Revision, "org.opencontainers.image.licenses": o.Licenses,
	} {
		if c.Labels[k] != want {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], want)
		}
	}

	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string]*tar.Header{}
	contents := map[string]string{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h
		if !h.ModTime.Equal(o.Created) {
			t.Errorf("%s: time %v, want %v", h.Name, h.ModTime, o.Created)
		}
		if strings.HasPrefix(h.Name, "etc/") && h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			contents[h.Name] = string(b)
		}
	}
	for _, bin := range []string{"usr/bin/glpinetd", "usr/bin/glpinet"} {
		h := files[bin]
		if h == nil || h.Typeflag != tar.TypeReg || h.Mode&0o111 != 0o111 {
			t.Errorf("%s: %+v, want an executable file", bin, h)
		}
	}
	if !strings.Contains(contents["etc/passwd"], "glpinet:x:65532:65532:") {
		t.Errorf("/etc/passwd lacks the user:\n%s", contents["etc/passwd"])
	}
	if !strings.Contains(contents["etc/group"], "glpinet:x:65532:") {
		t.Errorf("/etc/group lacks the group:\n%s", contents["etc/group"])
	}
	if _, ok := files["etc/ssl/certs/ca-certificates.crt"]; !ok {
		t.Error("no CA certificates")
	}
	// The user writes to /data only: it must own it; every other
	// writable thing is either root's and read-only for it, or /tmp.
	if h := files["data/"]; h == nil || h.Uid != 65532 || h.Gid != 65532 || h.Typeflag != tar.TypeDir {
		t.Errorf("/data: %+v, want a directory owned by 65532", h)
	}
	for name, h := range files {
		if name == "tmp/" || name == "data/" {
			continue
		}
		if h.Uid != 0 || h.Mode&0o022 != 0 {
			t.Errorf("%s: owner %d mode %o, want root's and not writable by others", name, h.Uid, h.Mode)
		}
	}
}

func TestCheckBinary(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "glpinetd")
	os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755)
	if err := checkBinary(notELF); err == nil || !strings.Contains(err.Error(), "not a Linux binary") {
		t.Errorf("a script: %v", err)
	}
}

// untar extracts the archive's regular files and directories into dir.
func untar(t *testing.T, r io.Reader, dir string) {
	t.Helper()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			os.MkdirAll(p, 0o755)
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
