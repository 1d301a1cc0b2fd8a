package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
)

// postLogin sends the login form with b's CSRF token and extra headers.
func (b *browser) postLogin(email, password string, header http.Header) int {
	form := url.Values{"csrf": {b.csrf}, "email": {email}, "password": {password}}
	req, _ := http.NewRequest("POST", b.base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// heapPeak samples the heap's live objects until stop is closed, and
// returns the highest value seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return out
}

// TestSimultaneousLoginsBoundMemory replays the memory attack: 150
// simultaneous logins, each an argon2id hash of 19 MiB, took the server
// from 42 MB to 2.9 GB. Hashes now run a few at a time: the heap grows by
// a bounded amount whatever the number of logins.
func TestSimultaneousLoginsBoundMemory(t *testing.T) {
	ts := startServer(t, nil)
	b := newBrowser(t, ts.URL())
	b.get("/login")
	runtime.GC()
	base := heapPeak(closed())
	before := <-base
	stop := make(chan struct{})
	peak := heapPeak(stop)
	var wg sync.WaitGroup
	statuses := make(chan int, 150)
	for i := range 150 {
		wg.Go(func() {
			statuses <- b.postLogin(fmt.Sprintf("nobody%d@example.com", i), "a wrong password", nil)
		})
	}
	wg.Wait()
	close(stop)
	close(statuses)
	grown := int64(<-peak) - int64(before)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	t.Logf("statuses %v, heap grew by %d MiB at most (each hash: %d MiB)", counts, grown>>20, auth.DefaultParams.Memory>>10)
	if counts[http.StatusUnauthorized] == 0 {
		t.Errorf("no login was judged: %v", counts)
	}
	for s := range counts {
		if s != http.StatusUnauthorized && s != http.StatusTooManyRequests {
			t.Errorf("status %d: only 401 and 429 are expected, got %v", s, counts)
		}
	}
	// A hash at a time per CPU, twice over, plus what the collector has not
	// reclaimed yet: far below the 150 × 19 MiB of unbounded hashing.
	limit := int64(2*2*runtime.GOMAXPROCS(0)+8) * int64(auth.DefaultParams.Memory) << 10
	if grown > limit {
		t.Errorf("heap grew by %d MiB during 150 simultaneous logins, want at most %d MiB", grown>>20, limit>>20)
	}
}

func closed() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// TestSimultaneousGuessesCountEach replays the lockout bypass: 60
// simultaneous guesses for one e-mail were all judged, the lockout being
// checked before the hash and recorded after it. Each is now counted
// before it is judged: at most 5 are.
func TestSimultaneousGuessesCountEach(t *testing.T) {
	ts := startServer(t, nil)
	addUser(t, ts, "victim@example.com", "the right password")
	b := newBrowser(t, ts.URL())
	b.get("/login")
	var wg sync.WaitGroup
	statuses := make(chan int, 60)
	for i := range 60 {
		wg.Go(func() { statuses <- b.postLogin("victim@example.com", fmt.Sprintf("guess %d", i), nil) })
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[http.StatusUnauthorized] > 5 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 60 {
		t.Errorf("60 simultaneous guesses: %v, want at most 5 judged (401), the rest 429", counts)
	}
	// The right password is refused too while locked, and after a
	// restart: the counters live in the database.
	if s := b.postLogin("victim@example.com", "the right password", nil); s != http.StatusTooManyRequests {
		t.Errorf("right password while locked: %d, want 429", s)
	}
	restarted := restart(t, ts)
	b = newBrowser(t, restarted.URL())
	b.get("/login")
	if s := b.postLogin("victim@example.com", "the right password", nil); s != http.StatusTooManyRequests {
		t.Errorf("right password after a restart: %d, want 429 (lockout forgotten)", s)
	}
}

// TestLockoutPerClientBehindProxy: behind a reverse proxy, every client
// came from the proxy's address, so 50 failures locked everybody out.
// With --behind-proxy the address comes from X-Forwarded-For, believed
// only from a trusted proxy; without it, the header is ignored (a client
// cannot dodge its limit by forging one).
func TestLockoutPerClientBehindProxy(t *testing.T) {
	ts := startServerWith(t, nil, func(m *Main) { m.BehindProxy = true })
	addUser(t, ts, "user@example.com", "the right password")
	b := newBrowser(t, ts.URL())
	b.get("/login")
	attacker := http.Header{"X-Forwarded-For": {"198.51.100.7"}}
	for i := range 6 {
		b.postLogin("user@example.com", fmt.Sprintf("guess %d", i), attacker)
	}
	if s := b.postLogin("user@example.com", "the right password", attacker); s != http.StatusTooManyRequests {
		t.Errorf("attacker's address after 6 guesses: %d, want 429", s)
	}
	// The real user, at another address, logs in (forged headers before
	// the proxy's own entry are not believed: the last untrusted hop is).
	user := http.Header{"X-Forwarded-For": {"198.51.100.7, 203.0.113.9"}}
	if s := b.postLogin("user@example.com", "the right password", user); s != http.StatusSeeOther && s != http.StatusOK {
		t.Errorf("the user at another address: %d, want a successful login", s)
	}

	direct := startServer(t, nil)
	addUser(t, direct, "user@example.com", "the right password")
	b2 := newBrowser(t, direct.URL())
	b2.get("/login")
	for i := range 6 {
		b2.postLogin("user@example.com", fmt.Sprintf("guess %d", i), http.Header{"X-Forwarded-For": {fmt.Sprintf("192.0.2.%d", i)}})
	}
	if s := b2.postLogin("user@example.com", "the right password", http.Header{"X-Forwarded-For": {"192.0.2.99"}}); s != http.StatusTooManyRequests {
		t.Errorf("forged X-Forwarded-For without --behind-proxy: %d, want 429 (the header must be ignored)", s)
	}
}

// TestPasswordChangeIsLimited: changing the password from a session
// checked the current password without any limit, a way to guess it with
// a stolen session.
func TestPasswordChangeIsLimited(t *testing.T) {
	ts := startServer(t, nil)
	b := loginAs(t, ts, "basic", "member@basic.example", glpinet.RoleMember)
	b.get("/password")
	statuses := map[int]int{}
	for i := range 8 {
		status, _ := b.post("/password", "current", fmt.Sprintf("guess %d", i), "new", "a brand new password")
		statuses[status]++
	}
	if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusTooManyRequests] < 3 {
		t.Errorf("8 wrong current passwords: %v, want at most 5 judged, then 429", statuses)
	}
}

// addUser creates a customer user with a password.
func addUser(t *testing.T, ts *testServer, email, password string) {
	t.Helper()
	ctx := glpinet.WithActor(t.Context(), "test")
	hash, _ := auth.HashPassword(password, auth.DefaultParams)
	a := &glpinet.Account{Name: "Account of " + email}
	if err := ts.DB.SignUp(ctx, a, &glpinet.User{Email: email, Name: "User", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
}

// restart closes ts and starts a new server on the same data folder.
func restart(t *testing.T, ts *testServer) *testServer {
	t.Helper()
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	next := &testServer{dir: ts.dir, keys: ts.keys, logs: ts.logs}
	next.Main = &Main{Addr: "127.0.0.1:0", Store: ts.Store, PollInterval: ts.PollInterval, Logger: ts.Logger}
	if err := next.Open(context.WithoutCancel(t.Context())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { next.Close() })
	return next
}

// TestEmailLockoutSparesKnownPlaces: a guesser with many addresses spends
// an e-mail's own limit (and can spend it again every hour); the person
// still logs in from where they logged in before.
func TestEmailLockoutSparesKnownPlaces(t *testing.T) {
	ts := startServerWith(t, nil, func(m *Main) { m.BehindProxy = true })
	addUser(t, ts, "user@example.com", "the right password")
	b := newBrowser(t, ts.URL())
	b.get("/login")
	home := http.Header{"X-Forwarded-For": {"203.0.113.9"}}
	if s := b.postLogin("user@example.com", "the right password", home); s != http.StatusSeeOther && s != http.StatusOK {
		t.Fatalf("first login from home: %d", s)
	}
	b = newBrowser(t, ts.URL()) // logged out again
	b.get("/login")
	for i := range 40 {
		b.postLogin("user@example.com", "a guess", http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i)}})
	}
	if s := b.postLogin("user@example.com", "the right password", http.Header{"X-Forwarded-For": {"192.0.2.77"}}); s != http.StatusTooManyRequests {
		t.Errorf("right password from a new address during the attack: %d, want 429", s)
	}
	if s := b.postLogin("user@example.com", "the right password", home); s != http.StatusSeeOther && s != http.StatusOK {
		t.Errorf("right password from home during the attack: %d, want a login", s)
	}
}
