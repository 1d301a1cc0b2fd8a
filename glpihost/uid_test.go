package glpihost

import (
	"os"
	"regexp"
	"testing"
)

// uidPattern is what GLPI's Toolbox::getRandomString(40) makes.
var uidPattern = regexp.MustCompile(`^[0-9a-zA-Z]{40}$`)

func TestNewNetworkUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		u, err := NewNetworkUID()
		if err != nil || !uidPattern.MatchString(u) || seen[u] {
			t.Fatalf("%q, %v", u, err)
		}
		seen[u] = true
	}
}

// TestSetRegistrationKeyUID: the key and a missing uid are stored
// together; an existing uid is kept.
func TestSetRegistrationKeyUID(t *testing.T) {
	in, db, key := rotationFixture(t)
	ctx := t.Context()
	newUID, _ := NewNetworkUID()
	uid, created, err := db.SetRegistrationKey(ctx, in, "gnk_first", newUID)
	if err != nil || !created || uid != newUID {
		t.Fatalf("missing uid: %q, created %v, %v", uid, created, err)
	}
	if got, _, _ := db.Get(ctx, ConfigNetworkUID); got != newUID {
		t.Fatalf("stored uid %q", got)
	}
	if got := decrypted(t, db, key, ConfigRegistrationKey); got != "gnk_first" {
		t.Fatalf("stored key %q", got)
	}

	other, _ := NewNetworkUID()
	uid, created, err = db.SetRegistrationKey(ctx, in, "gnk_second", other)
	if err != nil || created || uid != newUID {
		t.Fatalf("existing uid: %q, created %v, %v", uid, created, err)
	}

	// An empty value is a missing one, as for GLPI's getUuid.
	db.Set(ctx, ConfigNetworkUID, "")
	if uid, created, err = db.SetRegistrationKey(ctx, in, "gnk_third", other); err != nil || !created || uid != other {
		t.Fatalf("empty uid: %q, created %v, %v", uid, created, err)
	}

	// A refused write stores no uid either.
	db.Set(ctx, ConfigNetworkUID, "")
	if err := os.WriteFile(in.PendingKeyPath(), key[:], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SetRegistrationKey(ctx, in, "gnk_fourth", other); err == nil {
		t.Fatal("stored while a rotation is pending")
	}
	if got, _, _ := db.Get(ctx, ConfigNetworkUID); got != "" {
		t.Fatalf("a refused write stored the uid %q", got)
	}
}
