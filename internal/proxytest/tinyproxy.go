// Package proxytest runs a real HTTP proxy for the tests of several
// packages: tinyproxy, from its Debian package, one process per test with
// its own configuration, port and log in a temporary directory (never the
// system service the package starts on port 8888).
package proxytest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Password is the proxy password the tests would like to use: '@' and ':'
// are what break GLPI 10.0, which puts the password raw into the proxy URL.
const Password = "p@ss:w0rd"

// PlainPassword is the password used instead of Password when the installed
// tinyproxy cannot be configured with Password. tinyproxy 1.11.1 (Debian 12)
// reads both words of "BasicAuth user password" as [-a-z0-9._]+ (conf.c
// ALNUM) and refuses the file otherwise ("Syntax error"), with no quoting
// or escape; there is no password with '@' or ':' it can check. Upstream
// widened the syntax later (tinyproxy PR #516: any password). It compares
// the Proxy-Authorization token with base64("user:password"), so the
// characters allowed here still go through the same encoding.
const PlainPassword = "p.ss-w0rd_"

// Install is what to run when tinyproxy is missing.
const Install = "apt-get install -y tinyproxy"

// Config is how a tinyproxy is set up.
type Config struct {
	// User and Password, when User is not empty, are the only credentials
	// accepted (BasicAuth).
	User, Password string
	// ConnectPorts are the ports CONNECT may reach; none means every port
	// (tinyproxy's behaviour without a ConnectPort line, as in the Debian
	// package's configuration, where "ConnectPort 443" and "ConnectPort
	// 563" are examples left commented out).
	ConnectPorts []int
}

// Tinyproxy is a running tinyproxy process.
type Tinyproxy struct {
	Addr    string // 127.0.0.1:port
	Port    int
	LogFile string
	Version string // e.g. "tinyproxy 1.11.1"
	cmd     *exec.Cmd
	exited  chan struct{}
}

// URL returns the proxy's URL, with credentials when user is not empty.
func (p *Tinyproxy) URL(user, pass string) *url.URL {
	u := &url.URL{Scheme: "http", Host: p.Addr}
	if user != "" {
		u.User = url.UserPassword(user, pass)
	}
	return u
}

// Log returns what tinyproxy logged so far.
func (p *Tinyproxy) Log() string {
	b, _ := os.ReadFile(p.LogFile)
	return string(b)
}

// Close stops the process.
func (p *Tinyproxy) Close() error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	err := p.cmd.Process.Kill()
	<-p.exited
	return err
}

// Binary returns the path of tinyproxy, or an error that says how to
// install it.
func Binary() (string, error) {
	path, err := exec.LookPath("tinyproxy")
	if err != nil {
		return "", fmt.Errorf("tinyproxy is needed by this test and is not installed: %s", Install)
	}
	return path, nil
}

// AuthPassword returns Password when the installed tinyproxy accepts it in
// its BasicAuth directive, PlainPassword otherwise (see PlainPassword).
func AuthPassword(dir string) (string, error) {
	bin, err := Binary()
	if err != nil {
		return "", err
	}
	// Without a Port, tinyproxy exits right after parsing: "Syntax error"
	// when it cannot read the BasicAuth line, "You MUST set a Port" when it
	// can.
	conf := filepath.Join(dir, "tinyproxy-probe.conf")
	if err := os.WriteFile(conf, []byte("BasicAuth glpi "+Password+"\n"), 0o600); err != nil {
		return "", err
	}
	out, _ := exec.Command(bin, "-d", "-c", conf).CombinedOutput()
	switch {
	case bytes.Contains(out, []byte("Syntax error")):
		return PlainPassword, nil
	case bytes.Contains(out, []byte("MUST set a Port")):
		return Password, nil
	}
	return "", fmt.Errorf("tinyproxy -c %s: unexpected output %q", conf, out)
}

// Start starts tinyproxy on a free loopback port with a configuration, log
// and pid file in dir, and returns once it accepts connections.
func Start(dir string, c Config) (*Tinyproxy, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	version, _ := exec.Command(bin, "-v").Output()
	var last error
	// The free port is found by binding and releasing it: another process
	// may take it in between, hence a few attempts.
	for range 3 {
		p, err := start(bin, dir, c)
		if err == nil {
			p.Version = strings.TrimSpace(string(version))
			return p, nil
		}
		last = err
	}
	return nil, last
}

func start(bin, dir string, c Config) (*Tinyproxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	p := &Tinyproxy{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Port: port,
		LogFile: filepath.Join(dir, "tinyproxy.log"), exited: make(chan struct{})}
	var conf strings.Builder
	fmt.Fprintf(&conf, "Port %d\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\n", port)
	fmt.Fprintf(&conf, "LogFile %q\nLogLevel Info\nPidFile %q\n", p.LogFile, filepath.Join(dir, "tinyproxy.pid"))
	if c.User != "" {
		fmt.Fprintf(&conf, "BasicAuth %s %s\n", c.User, c.Password)
	}
	for _, cp := range c.ConnectPorts {
		fmt.Fprintf(&conf, "ConnectPort %d\n", cp)
	}
	confPath := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	// -d: stay in the foreground, so that the process is ours to stop.
	p.cmd = exec.Command(bin, "-d", "-c", confPath)
	p.cmd.Stdout, p.cmd.Stderr = &out, &out
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("tinyproxy exited at start: %s%s\nconfiguration:\n%s", out.String(), p.Log(), conf.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", p.Addr, time.Second); err == nil {
			c.Close()
			return p, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Close()
	return nil, errors.New("tinyproxy does not listen on " + p.Addr + " after 10 s: " + out.String() + p.Log())
}

// StartT starts tinyproxy for t, in t.TempDir(), and stops it when t ends.
// A missing tinyproxy fails t (CI installs it), it does not skip.
func StartT(t testing.TB, c Config) *Tinyproxy {
	t.Helper()
	p, err := Start(t.TempDir(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		if t.Failed() {
			t.Logf("%s log:\n%s", p.Version, p.Log())
		}
	})
	return p
}

// AuthPasswordT is AuthPassword for a test: it logs which password it
// chose and fails t when tinyproxy is missing.
func AuthPasswordT(t testing.TB) string {
	t.Helper()
	pass, err := AuthPassword(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if pass != Password {
		t.Logf("the installed tinyproxy cannot take %q in BasicAuth: testing it with %q", Password, pass)
	}
	return pass
}
