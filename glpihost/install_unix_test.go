//go:build unix

package glpihost

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// TestReadConfigDBHuge replays finding 11 of issue 10: a 16 MB
// config_db.php took 19 s and 2.7 GB. It is now refused without being
// read, and a FIFO in its place is refused without blocking.
func TestReadConfigDBHuge(t *testing.T) {
	root := writeTree(t, map[string]string{"inc/define.php": glpi10Define, "config/config_db.php": ""})
	in, err := Open(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	huge := []byte(installerConfigDB[:len(installerConfigDB)-2] + strings.Repeat(" public $a = [1,1,1,1];\n", 16<<20/24) + "}\n")
	if err := os.WriteFile(in.ConfigDBPath(), huge, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = in.ReadConfigDB()
	if glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error = %v, want EINVALID too large", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing took %v", d)
	}

	os.Remove(in.ConfigDBPath())
	if err := syscall.Mkfifo(in.ConfigDBPath(), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	_, err = in.ReadConfigDB()
	if glpinet.ErrorCode(err) != glpinet.EINVALID || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("error = %v, want EINVALID FIFO", err)
	}
}
