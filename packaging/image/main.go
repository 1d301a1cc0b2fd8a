// Command image writes glpinetd's container image as an OCI archive,
// without a container daemon or a base image: one layer on an empty
// (scratch) base holding the two static linux/amd64 binaries, the CA
// certificates of the build host, a passwd and group naming the unprivileged
// user the server runs as, and /data, its volume.
//
// The archive is reproducible: every timestamp is SOURCE_DATE_EPOCH (the
// commit's time, as packaging/build-image.sh passes it), so two builds of
// the same binaries give the same image digest.
//
// Usage:
//
//	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) go run ./packaging/image \
//	    --glpinetd dist/linux_amd64/glpinetd --glpinet dist/linux_amd64/glpinet \
//	    --version v1.2.0 --revision $(git rev-parse HEAD) --out dist/glpinetd-image.tar
package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The user the server runs as: not root, so that a flaw in the server does
// not own the container's files; 65532 is the "nonroot" of distroless
// images, which hosts commonly leave unassigned.
const (
	uid      = 65532
	userName = "glpinet"
	dataDir  = "/data"
)

// Options are what the image is made of.
type Options struct {
	// Glpinetd and Glpinet are the paths of the linux/amd64 binaries.
	Glpinetd, Glpinet string
	// CACerts is the PEM bundle copied to /etc/ssl/certs/ca-certificates.crt,
	// where Go looks first: glpinetd may fetch from HTTPS upstreams.
	CACerts string
	// Created is every timestamp in the image (files, config, history).
	Created time.Time
	// Version, Revision, Source and Licenses fill the OCI labels.
	Version, Revision, Source, Licenses string
}

// Ref is the name the image gets when loaded (docker load, podman load).
const Ref = "glpinetd:local"

func main() {
	var o Options
	out := flag.String("out", "dist/glpinetd-image.tar", "OCI archive to write")
	flag.StringVar(&o.Glpinetd, "glpinetd", "", "linux/amd64 glpinetd binary (CGO_ENABLED=0)")
	flag.StringVar(&o.Glpinet, "glpinet", "", "linux/amd64 glpinet binary (CGO_ENABLED=0)")
	flag.StringVar(&o.CACerts, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "CA certificates (PEM) to put in the image")
	flag.StringVar(&o.Version, "version", "dev", "org.opencontainers.image.version")
	flag.StringVar(&o.Revision, "revision", "", "org.opencontainers.image.revision (the commit)")
	flag.StringVar(&o.Source, "source", "https://github.com/glpinet/glpinet", "org.opencontainers.image.source")
	flag.StringVar(&o.Licenses, "licenses", "GPL-3.0-or-later", "org.opencontainers.image.licenses (an SPDX expression)")
	epoch := flag.String("source-date-epoch", os.Getenv("SOURCE_DATE_EPOCH"), "timestamp of every file and of the image, in Unix seconds (env SOURCE_DATE_EPOCH)")
	flag.Parse()
	if o.Glpinetd == "" || o.Glpinet == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "image: --glpinetd and --glpinet are required (see go doc ./packaging/image)")
		os.Exit(2)
	}
	// No default to the current time: an image that changes on every
	// build cannot be checked against the commit it claims to be.
	sec, err := strconv.ParseInt(*epoch, 10, 64)
	if err != nil {
		os.Stderr.WriteString("image: set SOURCE_DATE_EPOCH (or --source-date-epoch) to the commit's time: git log -1 --format=%ct\n")
		os.Exit(2)
	}
	o.Created = time.Unix(sec, 0).UTC()
	img, err := Build(o)
	if err == nil {
		err = WriteArchive(*out, img, o.Created)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	d, _ := img.Digest()
	fmt.Printf("%s: %s %s\n", *out, Ref, d)
}

// Build assembles the image.
func Build(o Options) (v1.Image, error) {
	for _, bin := range []string{o.Glpinetd, o.Glpinet} {
		if err := checkBinary(bin); err != nil {
			return nil, err
		}
	}
	layer, err := rootLayer(o)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: o.Created}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created: created, CreatedBy: "go run ./packaging/image", Comment: "glpinetd " + o.Version,
	}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS, cf.Created = "amd64", "linux", created
	labels := map[string]string{
		"org.opencontainers.image.title":       "glpinetd",
		"org.opencontainers.image.description": "Self-hosted GLPI Network services: registration keys, subscriptions, plugin marketplace",
		"org.opencontainers.image.source":      o.Source,
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.revision":    o.Revision,
		"org.opencontainers.image.licenses":    o.Licenses,
		"org.opencontainers.image.created":     o.Created.Format(time.RFC3339),
	}
	cf.Config = v1.Config{
		User: fmt.Sprintf("%d:%d", uid, uid),
		// Extra arguments to "docker run IMAGE" are serve's flags
		// (--public-url …); operator commands run with
		// "docker exec CONTAINER glpinetd account create …", hence PATH.
		Entrypoint: []string{"/usr/bin/glpinetd", "serve"},
		Env: []string{
			"PATH=/usr/bin",
			"GLPINET_DATA=" + dataDir,
			// All interfaces: the container's own network namespace is
			// the boundary, and the port is published or not by the
			// runtime. /metrics stays on the loopback (serve's default).
			"GLPINET_ADDR=:8080",
		},
		ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		Volumes:      map[string]struct{}{dataDir: {}},
		WorkingDir:   dataDir,
		Labels:       labels,
		// Docker's schema: Docker reads it from any image; Podman only from
		// Docker-format images, so compose.yaml states it again. The
		// command follows GLPINET_ADDR (and GLPINET_TLS_CERT) by itself.
		Healthcheck: &v1.HealthConfig{
			Test:        []string{"CMD", "/usr/bin/glpinetd", "healthcheck"},
			Interval:    15 * time.Second,
			Timeout:     6 * time.Second, // the command gives up after 5s with a reason
			StartPeriod: 60 * time.Second,
			Retries:     3,
		},
		StopSignal: "SIGTERM",
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, err
	}
	// The same labels on the manifest, where registries and scanners look
	// without fetching the config.
	return mutate.Annotations(img, labels).(v1.Image), nil
}

// checkBinary refuses what would not run in the image: a binary for another
// machine (a build host's arm64 one) or one needing a dynamic loader
// (built with cgo), which scratch does not have.
func checkBinary(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not a Linux binary: %w", path, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s: built for %s, the image is linux/amd64 (GOOS=linux GOARCH=amd64)", path, f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s: dynamically linked; build it with CGO_ENABLED=0", path)
		}
	}
	return nil
}

// entry is one file or directory of the layer.
type entry struct {
	name     string // without a leading slash, as layers spell them
	mode     int64
	owner    int
	data     []byte
	fromFile string
}

// rootLayer is the image's only layer.
func rootLayer(o Options) (v1.Layer, error) {
	passwd := "root:x:0:0:root:/root:/sbin/nologin\n" +
		fmt.Sprintf("%s:x:%d:%d:glpinetd:%s:/sbin/nologin\n", userName, uid, uid, dataDir) +
		"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
	group := "root:x:0:\n" + fmt.Sprintf("%s:x:%d:\n", userName, uid) + "nogroup:x:65534:\n"
	entries := []entry{
		{name: "data/", mode: 0o750, owner: uid},
		{name: "etc/", mode: 0o755},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, fromFile: o.CACerts},
		// Go's os.TempDir and SQLite's temporary files; uploads go to
		// /data/tmp (serve's own), so this stays small.
		{name: "tmp/", mode: 0o1777},
		{name: "usr/", mode: 0o755},
		{name: "usr/bin/", mode: 0o755},
		{name: "usr/bin/glpinet", mode: 0o755, fromFile: o.Glpinet},
		{name: "usr/bin/glpinetd", mode: 0o755, fromFile: o.Glpinetd},
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.owner, Gid: e.owner, ModTime: o.Created, Format: tar.FormatPAX}
		if strings.HasSuffix(e.name, "/") {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			if e.fromFile != "" {
				b, err := os.ReadFile(e.fromFile)
				if err != nil {
					return nil, err
				}
				e.data = b
			}
			h.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// WriteArchive writes img as an OCI image layout in a tar file, which both
// "podman load" and "docker load" (Docker 25 and later read the layout,
// older ones the manifest.json written beside it, as "docker save" does)
// accept, named Ref. Every entry has the time created, so the archive
// itself is reproducible too, not only the image digest.
func WriteArchive(path string, img v1.Image, created time.Time) error {
	dir, err := os.MkdirTemp("", "glpinetd-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	repo, tag, _ := strings.Cut(Ref, ":")
	err = p.AppendImage(img, layout.WithAnnotations(map[string]string{
		// containerd (docker load) takes the full name from its own key;
		// Podman reads the OCI one.
		"io.containerd.image.name":          "docker.io/library/" + Ref,
		"org.opencontainers.image.ref.name": Ref,
	}))
	if err != nil {
		return err
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	legacy := []map[string]any{{
		"Config":   "blobs/sha256/" + cfgName.Hex,
		"RepoTags": []string{repo + ":" + tag},
		"Layers":   []string{},
	}}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		legacy[0]["Layers"] = append(legacy[0]["Layers"].([]string), "blobs/sha256/"+d.Hex)
	}
	mj, err := json.Marshal(legacy)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), mj, 0o644); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := tarDir(tmp, dir, created); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// tarDir writes the files under dir to a tar file in name order, with
// fixed times, owners and modes.
func tarDir(path, dir string, mtime time.Time) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			rel += "/"
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	for _, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg, ModTime: mtime, Format: tar.FormatPAX}
		var data []byte
		if strings.HasSuffix(n, "/") {
			h.Mode, h.Typeflag = 0o755, tar.TypeDir
		} else if data, err = os.ReadFile(filepath.Join(dir, n)); err != nil {
			break
		}
		h.Size = int64(len(data))
		if err = tw.WriteHeader(h); err != nil {
			break
		}
		if _, err = tw.Write(data); err != nil {
			break
		}
	}
	return errors.Join(err, tw.Close(), f.Close())
}
