package httpx

import (
	"net/netip"
	"testing"
	"time"
)

// TestCredentialsBudget: an address that sent too many unknown credentials
// is not looked up for any more, except for a credential found valid
// lately (a colleague behind the same NAT address stays logged in).
func TestCredentialsBudget(t *testing.T) {
	c := &Credentials{TTL: time.Hour}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	addr, other := netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("198.51.100.1")
	valid, guess := [32]byte{1}, [32]byte{2}
	c.Valid(valid, now)
	for i := 0; c.MayLookUp(addr, guess, now); i++ {
		if i > 1000 {
			t.Fatal("the budget of unknown credentials never runs out")
		}
		c.Unknown(addr, now)
	}
	if !c.MayLookUp(addr, valid, now) {
		t.Fatal("a credential found valid lately is refused with its address's budget spent")
	}
	if !c.MayLookUp(other, guess, now) {
		t.Fatal("another address pays for the first one's guesses")
	}
	if c.MayLookUp(addr, valid, now.Add(2*time.Hour)) && c.unknown.Exhausted(ClientKey(addr), now.Add(2*time.Hour)) {
		t.Fatal("a valid credential is remembered past its TTL")
	}
}
