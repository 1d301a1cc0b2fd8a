package service_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
	"github.com/glpinet/glpinet/sqlite"
	"github.com/google/go-cmp/cmp"
)

// fixture is a service over a fresh SQLite store with a fixed clock, and
// one account.
func fixture(t *testing.T) (*service.Service, *glpinet.Account) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "glpinet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	a := &glpinet.Account{Name: "Acme"}
	if err := db.CreateAccount(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	return service.New(db, db.Now), a
}

func TestRotationGrace(t *testing.T) {
	tests := []struct {
		grace time.Duration
		want  string // error code
	}{
		{0, ""},
		{glpinet.DefaultRotationGrace, ""},
		{glpinet.MaxRotationGrace, ""},
		{glpinet.MaxRotationGrace + time.Second, glpinet.EINVALID},
		{-time.Second, glpinet.EINVALID},
		{service.Hours(1 << 62), glpinet.EINVALID}, // saturated, not wrapped around into range
	}
	for _, tt := range tests {
		if got := glpinet.ErrorCode(service.CheckRotationGrace(tt.grace)); got != tt.want {
			t.Errorf("CheckRotationGrace(%s) = %q, want %q", tt.grace, got, tt.want)
		}
	}
}

func TestKeyIssueRotateRevoke(t *testing.T) {
	s, a := fixture(t)
	ctx := t.Context()
	k, err := s.IssueKey(ctx, nil, a.ID, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if glpinet.CheckKey(k.Key) != glpinet.KeyOK || k.Hash != glpinet.HashKey(k.Key) || k.Label != "prod" {
		t.Fatalf("issued %+v", k)
	}
	if _, err := s.RotateKey(ctx, nil, k.ID, glpinet.MaxRotationGrace+time.Hour); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("rotation with a grace over the limit: %v, want EINVALID", err)
	}
	next, err := s.RotateKey(ctx, nil, k.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Now().Add(time.Hour); !next.OldKeyValidUntil.Equal(want) || *next.Replaces != k.ID || next.Label != "prod" {
		t.Fatalf("rotated %+v (valid until %v), want until %v", next, next.OldKeyValidUntil, want)
	}
	// Another account's key is not found, whatever its ID.
	if _, err := s.AccountKey(ctx, a.ID+1, "1"); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("another account's key: %v", err)
	}
	if _, err := s.AccountKey(ctx, a.ID, "x"); glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		t.Fatalf("a key ID that is no number: %v", err)
	}
	if err := s.RevokeKey(ctx, next.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.AccountKey(ctx, a.ID, "2")
	if err != nil || got.RevokedAt == nil {
		t.Fatalf("after revocation: %+v, %v", got, err)
	}
}

func TestInvitationDays(t *testing.T) {
	s, a := fixture(t)
	for _, days := range []int{-1, 0, glpinet.MaxInvitationDays + 1} {
		_, err := s.Invite(t.Context(), service.InvitationRequest{AccountID: a.ID, Role: glpinet.RoleMember, MaxUses: 1, Days: days})
		if glpinet.ErrorCode(err) != glpinet.EINVALID {
			t.Errorf("%d days: %v, want EINVALID", days, err)
		}
	}
	inv, err := s.Invite(t.Context(), service.InvitationRequest{AccountID: a.ID, Role: glpinet.RoleMember, MaxUses: 1, Days: glpinet.MaxInvitationDays})
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Now().Add(90 * 24 * time.Hour); !inv.ExpiresAt.Equal(want) || inv.Code == "" {
		t.Fatalf("invitation %+v, want expiry %v", inv, want)
	}
}

func TestTokenScopes(t *testing.T) {
	member := &glpinet.User{Role: glpinet.RoleMember, AccountID: 1}
	operator := &glpinet.User{Role: glpinet.RoleOperator}
	if diff := cmp.Diff([]glpinet.TokenScope{"read", "keys", "admin"}, service.ScopesFor(member)); diff != "" {
		t.Errorf("a member's scopes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]glpinet.TokenScope{"read", "keys", "admin", "publish"}, service.ScopesFor(operator)); diff != "" {
		t.Errorf("an operator's scopes (-want +got):\n%s", diff)
	}
	s, _ := fixture(t)
	if _, _, err := s.CreateToken(t.Context(), service.TokenRequest{User: member, Name: "x", Scopes: []glpinet.TokenScope{glpinet.ScopePublish}}); err != service.ErrScopeNotAllowed {
		t.Errorf("a member giving publish: %v", err)
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		u         glpinet.User
		canManage bool
	}{
		{glpinet.User{Role: glpinet.RoleOwner, AccountID: 1}, true},
		{glpinet.User{Role: glpinet.RoleAdmin, AccountID: 1}, true},
		{glpinet.User{Role: glpinet.RoleMember, AccountID: 1}, false},
		{glpinet.User{Role: glpinet.RoleOperator}, false},
	}
	for _, tt := range tests {
		if got := service.CanManage(&tt.u); got != tt.canManage {
			t.Errorf("CanManage(%s) = %v", tt.u.Role, got)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw   string
		want error
	}{
		{"123456789", service.ErrPasswordShort},
		{"ééééééééé", service.ErrPasswordShort}, // characters, not bytes
		{"1234567890", nil},
		{string(make([]byte, glpinet.MaxPasswordLen+1)), service.ErrPasswordLong},
	}
	for _, tt := range tests {
		if got := service.CheckPassword(tt.pw); got != tt.want {
			t.Errorf("CheckPassword(%d bytes) = %v, want %v", len(tt.pw), got, tt.want)
		}
	}
}

func TestPublishFields(t *testing.T) {
	tests := []struct {
		name   string
		fields service.PublishFields
		want   glpinet.PublishOptions
		code   string
	}{
		{"empty", service.PublishFields{}, glpinet.PublishOptions{}, ""},
		{"all", service.PublishFields{RequiredOffers: "basic, standard,", Compatibility: " ~10.0 ", Stability: "beta", Tags: "a,b", Force: "1"},
			glpinet.PublishOptions{RequiredOffers: []string{"basic", "standard"}, Compatibility: "~10.0", Stability: "beta", Force: true,
				Meta: glpinet.PluginMeta{Tags: []string{"a", "b"}}}, ""},
		{"force true", service.PublishFields{Force: "true"}, glpinet.PublishOptions{Force: true}, ""},
		{"force other", service.PublishFields{Force: "yes"}, glpinet.PublishOptions{}, ""},
		{"long constraint", service.PublishFields{Compatibility: strings.Repeat("1", glpinet.MaxConstraintLen+1)}, glpinet.PublishOptions{}, glpinet.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fields.Options()
			if code := glpinet.ErrorCode(err); code != tt.code {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if tt.code != "" {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSubscriptionDays(t *testing.T) {
	last, err := service.ParseDay("until", "2027-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := service.EndAfter(last), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("EndAfter(2027-12-31) = %v, want %v", got, want)
	}
	if _, err := service.ParseDay("until", "31/12/2027"); glpinet.ErrorMessage(err) != `until "31/12/2027" is not a day like 2027-12-31.` {
		t.Errorf("ParseDay of a bad day: %v", err)
	}
}
