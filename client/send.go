package client

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The headers that identify the instance: the registration key is a
// secret, the uid ties requests to one GLPI. They go to the configured
// services origin only.
const (
	headerKey = "X-Registration-Key"
	headerUID = "X-Glpi-Network-Uid"
)

// origin is scheme://host:port with the scheme's default port made
// explicit, so that https://a and https://a:443 are the same origin.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// ownOrigin reports whether u may receive the registration key: it is on
// the configured services origin, or it is the same host over HTTPS when
// the configured URL is plain HTTP (a server redirecting to its HTTPS
// address: the key is no more exposed there than where it was sent).
func (c *GLPI) ownOrigin(u *url.URL) bool {
	base, err := url.Parse(strings.TrimSpace(c.BaseURL))
	if err != nil || base.Host == "" {
		return false
	}
	if strings.EqualFold(base.Scheme, "http") && strings.EqualFold(u.Scheme, "https") {
		return strings.EqualFold(base.Hostname(), u.Hostname())
	}
	return origin(base) == origin(u)
}

// RedirectError is a redirect the client refuses to follow.
type RedirectError struct{ From, To string }

func (e *RedirectError) Error() string {
	return fmt.Sprintf("refused a redirect from HTTPS (%s) to plain HTTP (%s)", e.From, e.To)
}

// checkRedirect follows redirects as Go does (at most 10) with two rules
// Go lacks for custom headers: the registration key and uid are dropped
// on the way to any other origin (Go copies every header but
// Authorization and Cookie to any host), and a chain that was on HTTPS
// never continues over plain HTTP. then is the caller's own policy.
func (c *GLPI) checkRedirect(then func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		for _, v := range via {
			if v.URL.Scheme == "https" && req.URL.Scheme != "https" {
				return &RedirectError{From: v.URL.Redacted(), To: req.URL.Redacted()}
			}
		}
		// Go builds each hop's headers afresh from the first request's,
		// so the check is made at every hop.
		if !c.ownOrigin(req.URL) {
			req.Header.Del(headerKey)
			req.Header.Del(headerUID)
		}
		if then != nil {
			return then(req, via)
		}
		return nil
	}
}

// limits are c's limits with the defaults filled in.
func (c *GLPI) limits() Limits { return c.Limits.WithDefaults() }

// send sends req with c's redirect rules and deadlines: headers within
// Limits.Header, then no pause in the body longer than Limits.Idle; with
// whole, the request and its body also within Limits.Request. The body
// of the response must be closed; its reads fail with a *DeadlineError
// once a deadline passed.
func (c *GLPI) send(req *http.Request, whole bool, redirect func(*http.Request, []*http.Request) error) (*http.Response, error) {
	lim := c.limits()
	base := c.httpClient()
	hc := *base
	hc.CheckRedirect = c.checkRedirect(redirect)
	if redirect == nil {
		hc.CheckRedirect = c.checkRedirect(base.CheckRedirect)
	}
	if !c.ownOrigin(req.URL) {
		req.Header.Del(headerKey)
		req.Header.Del(headerUID)
	}

	ctx, cancel := context.WithCancelCause(req.Context())
	stops := []func() bool{}
	if whole {
		t := time.AfterFunc(lim.Request, func() { cancel(&DeadlineError{What: "not finished", After: lim.Request}) })
		stops = append(stops, t.Stop)
	}
	headers := time.AfterFunc(lim.Header, func() { cancel(&DeadlineError{What: "no answer", After: lim.Header}) })
	resp, err := hc.Do(req.WithContext(ctx))
	headers.Stop()
	if err != nil {
		for _, s := range stops {
			s()
		}
		cancel(nil)
		return nil, causeOf(ctx, err)
	}
	body := &deadlineBody{rc: resp.Body, ctx: ctx, cancel: cancel, stops: stops, idle: lim.Idle}
	body.timer = time.AfterFunc(lim.Idle, func() { cancel(&DeadlineError{What: "no data", After: lim.Idle}) })
	resp.Body = body
	return resp, nil
}

// causeOf replaces a cancellation error by the deadline that caused it.
func causeOf(ctx context.Context, err error) error {
	var de *DeadlineError
	if errors.As(context.Cause(ctx), &de) {
		return de
	}
	return err
}

// deadlineBody is a response body whose reads fail once a pause is
// longer than idle (or an overall deadline passed).
type deadlineBody struct {
	rc     io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	stops  []func() bool
	idle   time.Duration
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(b.idle)
	}
	if err != nil && err != io.EOF {
		err = causeOf(b.ctx, err)
	}
	return n, err
}

func (b *deadlineBody) Close() error {
	b.timer.Stop()
	for _, s := range b.stops {
		s()
	}
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// readBody reads a JSON answer of at most limit bytes after undoing gzip
// (so that a small compressed bomb is bounded too). A Content-Length over
// the limit is refused before reading.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, &TooLargeError{What: "the answer", Limit: limit}
	}
	var body io.Reader = resp.Body
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		body = zr
	}
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{What: "the answer", Limit: limit}
	}
	return b, nil
}

// Origin returns the origin (scheme://host:port, lower case, default port
// explicit) of a URL, "" when it does not parse: the identity of a
// services server for what is remembered about it.
func Origin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	return origin(u)
}
