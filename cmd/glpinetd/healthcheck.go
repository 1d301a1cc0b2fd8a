package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/glpinet/glpinet/internal/cli"
)

// runHealthcheck asks a running server's /readyz whether it is ready: the
// container image's health check, since a scratch image has no shell or
// curl to do it. Exit status 0 when it answers 200 in time, 1 with the
// reason on one line otherwise.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	rawURL := fs.String("url", "", "URL to GET (default: /readyz on the loopback address and port of GLPINET_ADDR, https with GLPINET_TLS_CERT or GLPINET_ACME_DOMAIN)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long the answer may take")
	pos, err := cli.ParseFlags("glpinetd", fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return cli.Usagef("healthcheck takes no arguments")
	}
	// With a derived URL the check talks to this very server over the
	// loopback: its certificate names the public host, not 127.0.0.1, so
	// it is not verified (the question is "does it answer", not "is it
	// who it claims"). A --url given explicitly is verified as usual.
	target, derived := *rawURL, *rawURL == ""
	acme, _, _ := strings.Cut(cli.Env("GLPINET_ACME_DOMAIN", ""), ",")
	acme = strings.TrimSpace(acme)
	if derived {
		target = readyURL(cli.Env("GLPINET_ADDR", ":8080"), cli.Env("GLPINET_TLS_CERT", "") != "" || acme != "")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return cli.Usagef("bad --url: %v", err)
	}
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	if derived {
		// With ACME the server refuses a handshake for a name it does not
		// serve (127.0.0.1 included): ask for one it does.
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true, ServerName: acme}
	}
	// No proxy, whatever HTTP_PROXY says: the server is local.
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return &cli.ExitError{Msg: fmt.Sprintf("%s: no answer within %s", target, *timeout)}
		}
		return &cli.ExitError{Msg: fmt.Sprintf("%s: %v", target, err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		// /readyz's body names the failing check ({"database":"unreachable"…}).
		return &cli.ExitError{Msg: fmt.Sprintf("%s: %s %s", target, resp.Status, strings.Join(strings.Fields(string(body)), " "))}
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}

// readyURL is the /readyz URL of a server listening on addr, reached over
// the loopback: ":8080" and "0.0.0.0:8080" become 127.0.0.1, "[::]:8080"
// becomes [::1], a named host is kept.
func readyURL(addr string, useTLS bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = "", "8080"
	}
	switch ip := net.ParseIP(host); {
	case host == "", ip != nil && ip.To4() != nil && ip.IsUnspecified():
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/readyz"
}
