// Package testkit builds the fixtures the tests of several packages share:
// plugin archives shaped like real GLPI plugins.
package testkit

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Plugin describes an archive to build.
type Plugin struct {
	Key, Version     string
	MinGLPI, MaxGLPI string // requirements.glpi; "" to leave out
	Name             string
	Format           string // "tar.gz" (default) or "zip"
	// Extra files, by path inside the plugin folder.
	Files map[string]string
}

// SetupPHP returns a setup.php like the ones GLPI plugins ship.
func SetupPHP(p Plugin) string {
	upper := strings.ToUpper(p.Key)
	name := p.Name
	if name == "" {
		name = "Plugin " + p.Key
	}
	var req string
	if p.MinGLPI != "" || p.MaxGLPI != "" {
		req = "      'requirements'   => [\n         'glpi' => [\n"
		if p.MinGLPI != "" {
			req += fmt.Sprintf("            'min' => PLUGIN_%s_MIN_GLPI,\n", upper)
		}
		if p.MaxGLPI != "" {
			req += fmt.Sprintf("            'max' => PLUGIN_%s_MAX_GLPI,\n", upper)
		}
		req += "         ]\n      ]\n"
	}
	return fmt.Sprintf(`<?php
define('PLUGIN_%[1]s_VERSION', '%[2]s');
// Minimal GLPI version, inclusive
define('PLUGIN_%[1]s_MIN_GLPI', '%[3]s');
// Maximum GLPI version, exclusive
define('PLUGIN_%[1]s_MAX_GLPI', '%[4]s');

function plugin_version_%[5]s() {
   return [
      'name'           => '%[6]s',
      'version'        => PLUGIN_%[1]s_VERSION,
      'author'         => '<a href="https://example.com">Example</a>',
      'license'        => 'GPLv3+',
      'homepage'       => 'https://example.com/%[5]s',
%[7]s   ];
}
`, upper, p.Version, p.MinGLPI, p.MaxGLPI, p.Key, name, req)
}

// Archive writes the plugin's archive into dir and returns its path, named
// glpi-KEY-VERSION.EXT as vendors name them.
func Archive(t testing.TB, dir string, p Plugin) string {
	t.Helper()
	files := map[string]string{"setup.php": SetupPHP(p), "hook.php": "<?php\n"}
	for k, v := range p.Files {
		files[k] = v
	}
	format := p.Format
	if format == "" {
		format = "tar.gz"
	}
	var buf bytes.Buffer
	switch format {
	case "zip":
		zw := zip.NewWriter(&buf)
		for name, body := range files {
			w, err := zw.Create(p.Key + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(body))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	case "tar.gz":
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		tw.WriteHeader(&tar.Header{Name: p.Key + "/", Typeflag: tar.TypeDir, Mode: 0o755})
		for name, body := range files {
			if err := tw.WriteHeader(&tar.Header{Name: p.Key + "/" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte(body))
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		gz.Close()
	default:
		t.Fatalf("testkit: unknown format %q", format)
	}
	path := filepath.Join(dir, "glpi-"+p.Key+"-"+p.Version+"."+format)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
