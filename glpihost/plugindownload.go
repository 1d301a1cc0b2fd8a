package glpihost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// downloadPattern starts the names of the files archives are downloaded
// into: .glpinet-download-<pid>-<random>.
const downloadPattern = ".glpinet-download-"

// CreateDownloadTemp creates the file an archive is downloaded into, in
// dir (the system's temporary directory when ""), named after this
// process so that a later run can tell a download that was killed from
// one still running: it first removes the downloads of processes that no
// longer exist. Only regular files of that exact name pattern are
// removed (a symbolic link planted in /tmp is never followed).
func CreateDownloadTemp(dir string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	CleanDownloadLeftovers(dir)
	return os.CreateTemp(dir, fmt.Sprintf("%s%d-*", downloadPattern, os.Getpid()))
}

// CleanDownloadLeftovers removes, from dir, the downloads left by glpinet
// processes that were killed, and returns their paths. Failures are
// skipped: a leftover costs only disk space.
func CleanDownloadLeftovers(dir string) []string {
	names, err := filepath.Glob(filepath.Join(dir, downloadPattern+"*"))
	if err != nil {
		return nil
	}
	var removed []string
	for _, name := range names {
		pid, ok := downloadPID(filepath.Base(name))
		if !ok || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := os.Remove(name); err == nil || errors.Is(err, fs.ErrNotExist) {
			removed = append(removed, name)
		}
	}
	return removed
}

// downloadPID returns the process id in a download's name.
func downloadPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, downloadPattern)
	if !ok {
		return 0, false
	}
	pid, random, ok := strings.Cut(rest, "-")
	if !ok || random == "" || strings.Trim(random, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(pid)
	return n, err == nil && n > 0
}
