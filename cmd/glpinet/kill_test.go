//go:build unix

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
	"github.com/glpinet/glpinet/glpihost"
)

// These tests run the real glpinet binary, as an administrator would, to
// replay what only a separate process shows: a command blocked on a
// hostile file or a lock, SIGTERM, and SIGKILL in the middle of a change.
// GLPINET_TEST_PAUSE_AT (glpihost.PauseEnv) stops the process at a named
// step so that a kill lands exactly there.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// glpinetBinary builds cmd/glpinet once for the test run, into
// $TMPDIR/glpinet-kill-test-<pid>; the folders of earlier runs, whose
// process is gone, are removed first (nothing can remove this run's after
// testscript.Main exits).
func glpinetBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), "glpinet-kill-test-*"))
		for _, d := range old {
			pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "glpinet-kill-test-"))
			if err == nil && pid != os.Getpid() && syscall.Kill(pid, 0) == syscall.ESRCH {
				os.RemoveAll(d)
			}
		}
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("glpinet-kill-test-%d", os.Getpid()))
		if binErr = os.MkdirAll(dir, 0o700); binErr != nil {
			return
		}
		binPath = filepath.Join(dir, "glpinet")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// glpiTree is a GLPI installation on a database of its own, with values
// encrypted with its glpicrypt.key in glpi_configs and in a column.
type glpiTree struct {
	root, config string
	db           *sql.DB
	key          glpicrypt.Key
	// plain holds what every encrypted value decrypts to, by "table id".
	plain map[string]string
	// env is added to the environment of every glpinet run.
	env []string
}

// newGLPITree makes the installation; the database is dropped at the end.
func newGLPITree(t *testing.T) *glpiTree {
	t.Helper()
	admin, err := sql.Open("mysql", "root@tcp(127.0.0.1:3306)/test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("glpinet_kill_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("MariaDB at 127.0.0.1:3306 (root, no password) is needed: %v", err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE " + name) })
	db, err := sql.Open("mysql", "root@tcp(127.0.0.1:3306)/"+name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, ddl := range []string{
		`CREATE TABLE glpi_configs (id int unsigned NOT NULL AUTO_INCREMENT, context varchar(150) DEFAULT NULL,
			name varchar(150) DEFAULT NULL, value text, PRIMARY KEY (id), UNIQUE KEY unicity (context, name)) DEFAULT CHARSET=utf8mb4`,
		`CREATE TABLE glpi_authldaps (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, rootdn_passwd text)`,
	} {
		if _, err := db.Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	g := &glpiTree{root: filepath.Join(t.TempDir(), "glpi"), db: db, plain: map[string]string{}}
	g.config = filepath.Join(g.root, "config")
	for _, d := range []string{"inc", "config", "marketplace", "plugins"} {
		if err := os.MkdirAll(filepath.Join(g.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(g.root, "inc", "define.php"), []byte("<?php\ndefine('GLPI_VERSION', '10.0.16');\n"), 0o644)
	os.WriteFile(filepath.Join(g.config, "config_db.php"), []byte("<?php\nclass DB extends DBmysql {\n   public $dbhost = '127.0.0.1';\n   public $dbuser = 'root';\n   public $dbpassword = '';\n   public $dbdefault = '"+name+"';\n}\n"), 0o600)
	g.key, _ = glpicrypt.NewKey()
	if err := os.WriteFile(g.keyPath(), g.key[:], 0o600); err != nil {
		t.Fatal(err)
	}
	for i, name := range glpihost.EncryptedConfigs {
		g.insert(t, "glpi_configs", fmt.Sprintf("secret %d of %s", i, name), g.key, name)
	}
	for i := range 20 {
		g.insert(t, "glpi_authldaps", fmt.Sprintf("ldap password %d", i), g.key, "")
	}
	return g
}

func (g *glpiTree) keyPath() string { return filepath.Join(g.config, "glpicrypt.key") }

// insert stores plain encrypted with key, as GLPI would.
func (g *glpiTree) insert(t *testing.T, table, plain string, key glpicrypt.Key, name string) {
	t.Helper()
	enc, _ := key.Encrypt(plain)
	var res sql.Result
	var err error
	if table == "glpi_configs" {
		res, err = g.db.Exec("INSERT INTO glpi_configs (context, name, value) VALUES ('core', ?, ?)", name, enc)
	} else {
		res, err = g.db.Exec("INSERT INTO glpi_authldaps (rootdn_passwd) VALUES (?)", enc)
	}
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	g.plain[fmt.Sprintf("%s %d", table, id)] = plain
}

// dump reads every encrypted value: the database backup an administrator
// would have made before the rotation.
func (g *glpiTree) dump(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, q := range []struct{ table, sql string }{
		{"glpi_configs", "SELECT id, value FROM glpi_configs"},
		{"glpi_authldaps", "SELECT id, rootdn_passwd FROM glpi_authldaps"},
	} {
		rows, err := g.db.Query(q.sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			out[fmt.Sprintf("%s %d", q.table, id)] = v
		}
		rows.Close()
	}
	return out
}

// assertDecrypts checks that every value of dump decrypts with the key
// file at keyPath to what was stored.
func (g *glpiTree) assertDecrypts(t *testing.T, dump map[string]string, keyPath, what string) {
	t.Helper()
	key, err := glpicrypt.LoadKey(keyPath)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(dump) != len(g.plain) {
		t.Fatalf("%s: %d values, want %d", what, len(dump), len(g.plain))
	}
	for where, enc := range dump {
		if got, err := key.Decrypt(enc); err != nil || got != g.plain[where] {
			t.Fatalf("%s: %s = %q, %v; want %q", what, where, got, err, g.plain[where])
		}
	}
}

// assertClean checks that no pending key nor temporary file is left in
// the configuration directory.
func (g *glpiTree) assertClean(t *testing.T) {
	t.Helper()
	entries, _ := os.ReadDir(g.config)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".rotating") || strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left in config/: %s", e.Name())
		}
	}
}

// run runs glpinet on the tree to its end, within a bound.
func (g *glpiTree) run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, glpinetBinary(t), append([]string{"--glpi-root", g.root}, args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.Env = append(cleanEnv(), g.env...)
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("glpinet %v did not end within 30 s", args)
	}
	return o.String(), e.String(), err
}

// cleanEnv is the test's environment without the variables that would
// steer glpinet elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLPI_") && !strings.HasPrefix(kv, glpihost.PauseEnv+"=") {
			env = append(env, kv)
		}
	}
	return env
}

// started is a glpinet process running in the background.
type started struct {
	cmd    *exec.Cmd
	stderr *watcher
	done   chan error
}

// watcher collects a process's stderr and tells when it holds a text.
type watcher struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (w *watcher) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	select {
	case w.changed <- struct{}{}:
	default:
	}
	return len(b), nil
}

func (w *watcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// start starts glpinet with extra environment variables.
func (g *glpiTree) start(t *testing.T, env []string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(glpinetBinary(t), append([]string{"--glpi-root", g.root}, args...)...)
	cmd.Env = append(append(cleanEnv(), g.env...), env...)
	w := &watcher{changed: make(chan struct{}, 1)}
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &started{cmd: cmd, stderr: w, done: make(chan error, 1)}
	t.Cleanup(func() { cmd.Process.Kill() })
	return p
}

// waitLine waits for stderr to hold want.
func (p *started) waitLine(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for !strings.Contains(p.stderr.String(), want) {
		select {
		case <-p.stderr.changed:
		case <-time.After(50 * time.Millisecond):
		case <-timeout:
			t.Fatalf("glpinet did not print %q within 20 s; stderr:\n%s", want, p.stderr.String())
		}
	}
}

// wait waits for the process to end, at most d.
func (p *started) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	go func() { p.done <- p.cmd.Wait() }()
	select {
	case err := <-p.done:
		return err
	case <-time.After(d):
		t.Fatalf("glpinet still running %v after the signal", d)
		return nil
	}
}

// rotateJSON runs cryptkey rotate to its end and returns what it did.
func (g *glpiTree) rotateJSON(t *testing.T) glpihost.Rotation {
	t.Helper()
	out, stderr, err := g.run(t, "cryptkey", "rotate", "--json")
	if err != nil {
		t.Fatalf("cryptkey rotate: %v\n%s%s", err, out, stderr)
	}
	var r glpihost.Rotation
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("cryptkey rotate --json: %v\n%s", err, out)
	}
	return r
}

// assertRotated checks the outcome of a rotation that was killed and run
// again: every value decrypts with the final glpicrypt.key, the backup
// rotate named decrypts the database as it was before (made with first),
// nothing is left.
func (g *glpiTree) assertRotated(t *testing.T, before map[string]string, first glpicrypt.Key, r glpihost.Rotation) {
	t.Helper()
	g.assertDecrypts(t, g.dump(t), g.keyPath(), "after the rotation, with glpicrypt.key")
	if r.Backup == "" {
		t.Fatalf("no backup named: %+v", r)
	}
	g.assertDecrypts(t, before, r.Backup, "the database backup, with "+filepath.Base(r.Backup))
	if k, _ := glpicrypt.LoadKey(g.keyPath()); k == first {
		t.Fatal("glpicrypt.key is still the first key")
	}
	g.assertClean(t)
	if out, stderr, err := g.run(t, "cryptkey", "check"); err != nil {
		t.Fatalf("cryptkey check after the rotation: %v\n%s%s", err, out, stderr)
	}
}

// TestRotateKilledAtEachStep SIGKILLs the real `glpinet cryptkey rotate`
// at each step of a rotation, leaves temporary files as a kill inside a
// key write would, and runs rotate again: it must finish.
func TestRotateKilledAtEachStep(t *testing.T) {
	for _, step := range []string{"rotate-pending-written", "rotate-updated", "rotate-committed", "rotate-key-replaced"} {
		t.Run(step, func(t *testing.T) {
			g := newGLPITree(t)
			before := g.dump(t)
			p := g.start(t, []string{glihostPause(step)}, "cryptkey", "rotate")
			p.waitLine(t, "paused at "+step)
			p.cmd.Process.Kill()
			p.wait(t, 5*time.Second)
			for _, n := range []string{".glpicrypt.key.tmp-4242", ".glpicrypt.key.rotating.tmp-4243"} {
				os.WriteFile(filepath.Join(g.config, n), []byte("partial"), 0o600)
			}
			// While the rotation is pending, writing an encrypted value
			// is refused with the remedy.
			if _, err := os.Stat(filepath.Join(g.config, "glpicrypt.key.rotating")); err == nil {
				key, _ := glpinet.GenerateKey()
				_, stderr, err := g.run(t, "key", "set", "--offline", key)
				if err == nil || !strings.Contains(stderr, "run 'glpinet cryptkey rotate' to finish it") {
					t.Fatalf("key set while a rotation is pending: %v\n%s", err, stderr)
				}
			}
			if step == "rotate-committed" {
				// The values are under the pending key: every reader
				// says how to finish, none says to set values again.
				for _, args := range [][]string{{"key", "show", "--offline"}, {"cryptkey", "check"}, {"doctor", "--offline"}} {
					out, stderr, _ := g.run(t, args...)
					if !strings.Contains(out+stderr, "run 'glpinet cryptkey rotate' to finish it") || strings.Contains(out+stderr, "key set") {
						t.Errorf("glpinet %v after a kill past the commit:\n%s%s", args, out, stderr)
					}
				}
			}
			r := g.rotateJSON(t)
			g.assertRotated(t, before, g.key, r)
		})
	}
}

// glihostPause is the environment entry that pauses glpinet at step.
func glihostPause(step string) string { return glpihost.PauseEnv + "=" + step }

// TestRotateKilledAtRandom SIGKILLs rotations at random moments (seeded,
// logged), each followed by a rotation run to its end. A kill after the
// rotation ended makes the second run a new rotation: then the backup of
// the first key is the one before the backup it names.
func TestRotateKilledAtRandom(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	g := newGLPITree(t)
	for i := range 6 {
		before := g.dump(t)
		first, _ := glpicrypt.LoadKey(g.keyPath())
		p := g.start(t, nil, "cryptkey", "rotate")
		time.Sleep(time.Duration(rng.IntN(80_000)) * time.Microsecond)
		p.cmd.Process.Kill()
		p.wait(t, 5*time.Second)
		r := g.rotateJSON(t)
		g.assertDecrypts(t, g.dump(t), g.keyPath(), fmt.Sprintf("round %d, glpicrypt.key", i))
		g.assertClean(t)
		backups, _ := filepath.Glob(g.keyPath() + ".bak-*")
		found := false
		for _, b := range backups {
			if k, err := glpicrypt.LoadKey(b); err == nil && k == first {
				g.assertDecrypts(t, before, b, fmt.Sprintf("round %d, the database backup with %s", i, filepath.Base(b)))
				found = true
			}
		}
		if !found {
			t.Fatalf("round %d (%+v): no backup holds the key of the database backup", i, r)
		}
	}
}

// TestRotatePendingPlusOldKeyValue replays finding 10 with the real
// binary: a rotation killed after its commit, then a value written with
// the old key (as GLPI, which reads the key file for each value, would).
// The next rotate finishes the rotation instead of claiming that the
// value decrypts with neither key.
func TestRotatePendingPlusOldKeyValue(t *testing.T) {
	g := newGLPITree(t)
	p := g.start(t, []string{glihostPause("rotate-committed")}, "cryptkey", "rotate")
	p.waitLine(t, "paused at rotate-committed")
	p.cmd.Process.Kill()
	p.wait(t, 5*time.Second)
	g.insert(t, "glpi_authldaps", "written by GLPI meanwhile", g.key, "")
	r := g.rotateJSON(t)
	if !r.Resumed {
		t.Fatalf("rotation = %+v, want resumed", r)
	}
	g.assertDecrypts(t, g.dump(t), g.keyPath(), "after the rotation, with glpicrypt.key")
	g.assertClean(t)
}

// TestSIGTERMEndsBlockedRotation: a rotation waiting for rows that another
// transaction holds (GLPI saving a password, a long backup) ends on
// SIGTERM within seconds, changing nothing, instead of waiting for
// MariaDB's lock timeout.
func TestSIGTERMEndsBlockedRotation(t *testing.T) {
	g := newGLPITree(t)
	tx, err := g.db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("SELECT * FROM glpi_configs FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	p := g.start(t, nil, "cryptkey", "rotate")
	// The pending key is written just before the transaction that blocks.
	pending := filepath.Join(g.config, "glpicrypt.key.rotating")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(pending); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the rotation did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	t0 := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(t, 5*time.Second); err == nil {
		t.Fatal("the rotation succeeded although its rows were locked")
	}
	t.Logf("ended %v after SIGTERM", time.Since(t0).Round(time.Millisecond))
	tx.Rollback()
	if k, _ := glpicrypt.LoadKey(g.keyPath()); k != g.key {
		t.Fatal("the key file changed")
	}
	g.assertDecrypts(t, g.dump(t), g.keyPath(), "after SIGTERM")
	g.assertClean(t)
}

// TestHostileKeyFilesFailFast replays finding 6: glpicrypt.key (or the
// pending key of a rotation) replaced by a FIFO, or by a link to
// /dev/zero, by the web server's user. Before, every command reading it
// blocked forever on the FIFO, or read /dev/zero until memory ran out;
// now each fails at once with a one-line error and a remedy.
func TestHostileKeyFilesFailFast(t *testing.T) {
	g := newGLPITree(t)
	key, _ := glpinet.GenerateKey()
	commands := [][]string{
		{"cryptkey", "check"},
		{"cryptkey", "rotate"},
		{"key", "show", "--offline"},
		{"key", "set", "--offline", key},
		{"doctor", "--offline"},
	}
	hostile := map[string]func(path string) error{
		"FIFO":      func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"/dev/zero": func(p string) error { return os.Symlink("/dev/zero", p) },
	}
	for kind, make := range hostile {
		for _, file := range []string{"glpicrypt.key", "glpicrypt.key.rotating"} {
			path := filepath.Join(g.config, file)
			saved, _ := os.ReadFile(path)
			os.Remove(path)
			if err := make(path); err != nil {
				t.Fatal(err)
			}
			for _, args := range commands {
				if file == "glpicrypt.key.rotating" && args[0] != "cryptkey" && args[0] != "key" {
					continue
				}
				t0 := time.Now()
				out, stderr, err := g.run(t, args...)
				took := time.Since(t0)
				if took > 5*time.Second {
					t.Errorf("%s as %s: glpinet %v took %v", kind, file, args, took)
				}
				text := out + stderr
				switch {
				case args[0] == "doctor":
					if !strings.Contains(text, "not a regular file") {
						t.Errorf("%s as %s: doctor does not say what is wrong:\n%s", kind, file, text)
					}
				case file == "glpicrypt.key.rotating" && args[0] == "key" && args[1] == "show":
					// Reading the stored key needs only glpicrypt.key.
					if err != nil {
						t.Errorf("%s as %s: key show failed: %v\n%s", kind, file, err, text)
					}
				case err == nil:
					t.Errorf("%s as %s: glpinet %v succeeded:\n%s", kind, file, args, text)
				case file == "glpicrypt.key" && !strings.Contains(stderr, "not a regular file: it is not a GLPI key; restore config/glpicrypt.key from a backup"):
					t.Errorf("%s as %s: glpinet %v: unclear error:\n%s", kind, file, args, stderr)
				case file == "glpicrypt.key.rotating" && !strings.Contains(stderr, "glpicrypt.key.rotating"):
					t.Errorf("%s as %s: glpinet %v: the error does not name the file:\n%s", kind, file, args, stderr)
				}
				if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
					t.Errorf("glpinet %v: more than one line on stderr:\n%s", args, stderr)
				}
			}
			os.Remove(path)
			if saved != nil {
				os.WriteFile(path, saved, 0o600)
			}
		}
	}
}

// TestSIGTERMEndsSilentDatabase: a database host that accepts the
// connection and never answers (a hung server, a firewall that swallows
// packets) leaves every command waiting; SIGTERM must end it.
func TestSIGTERMEndsSilentDatabase(t *testing.T) {
	g := newGLPITree(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never written to
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	os.WriteFile(filepath.Join(g.config, "config_db.php"), []byte("<?php\nclass DB extends DBmysql {\n   public $dbhost = '"+ln.Addr().String()+"';\n   public $dbuser = 'root';\n   public $dbpassword = '';\n   public $dbdefault = 'glpi';\n}\n"), 0o600)
	for _, args := range [][]string{{"cryptkey", "rotate"}, {"key", "show", "--offline"}} {
		p := g.start(t, nil, args...)
		time.Sleep(500 * time.Millisecond)
		t0 := time.Now()
		p.cmd.Process.Signal(syscall.SIGTERM)
		if err := p.wait(t, 5*time.Second); err == nil {
			t.Fatalf("glpinet %v succeeded against a silent database", args)
		}
		t.Logf("glpinet %v ended %v after SIGTERM: %s", args, time.Since(t0).Round(time.Millisecond), strings.TrimSpace(p.stderr.String()))
	}
	if k, _ := glpicrypt.LoadKey(g.keyPath()); k != g.key {
		t.Fatal("the key file changed")
	}
	g.assertClean(t)
}
