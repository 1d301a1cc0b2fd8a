package glpinet

import "testing"

func TestUserPrepare(t *testing.T) {
	u := &User{Email: "  Ann@Example.COM ", Name: " Ann ", Role: RoleMember, AccountID: 1, PasswordHash: "h"}
	if err := u.PrepareNew(); err != nil {
		t.Fatal(err)
	}
	if u.Email != "ann@example.com" || u.Name != "Ann" || u.Lang != "en" {
		t.Errorf("prepared %+v", u)
	}
	tests := []struct {
		name string
		u    User
	}{
		{"operator in an account", User{Email: "o@example.com", Name: "O", Role: RoleOperator, AccountID: 1, PasswordHash: "h"}},
		{"member in no account", User{Email: "m@example.com", Name: "M", Role: RoleMember, PasswordHash: "h"}},
		{"no password", User{Email: "m@example.com", Name: "M", Role: RoleMember, AccountID: 1}},
	}
	for _, tt := range tests {
		if err := tt.u.PrepareNew(); ErrorCode(err) != EINVALID {
			t.Errorf("%s: PrepareNew = %v, want EINVALID", tt.name, err)
		}
	}
	a, owner := &Account{Name: " Acme "}, &User{Email: "b@acme.example", Name: "B", Role: RoleMember, PasswordHash: "h"}
	if err := PrepareSignUp(a, owner); err != nil || a.Name != "Acme" || a.State != AccountActive || owner.Role != RoleOwner {
		t.Errorf("PrepareSignUp: %v, %+v, %+v", err, a, owner)
	}
}
