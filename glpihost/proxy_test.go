package glpihost

import (
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
)

func TestProxy(t *testing.T) {
	c := glpiDB(t)
	ctx := t.Context()
	key, _ := glpicrypt.NewKey()
	if u, err := c.Proxy(ctx, key); u != nil || err != nil {
		t.Fatalf("no proxy set: %v, %v", u, err)
	}
	c.Set(ctx, ConfigProxyName, "proxy.example.com")
	if u, err := c.Proxy(ctx, key); err != nil || u.String() != "http://proxy.example.com:8080" {
		t.Fatalf("GLPI's default port: %v, %v", u, err)
	}
	c.Set(ctx, ConfigProxyPort, "3128")
	c.Set(ctx, ConfigProxyUser, "glpi")
	enc, _ := key.Encrypt("p@ss:w/rd")
	c.Set(ctx, ConfigProxyPassword, enc)
	u, err := c.Proxy(ctx, key)
	if err != nil || u.Host != "proxy.example.com:3128" || u.User.Username() != "glpi" {
		t.Fatalf("proxy = %v, %v", u, err)
	}
	if p, _ := u.User.Password(); p != "p@ss:w/rd" {
		t.Fatalf("password %q", p)
	}
	other, _ := glpicrypt.NewKey()
	if _, err := c.Proxy(ctx, other); glpinet.ErrorCode(err) != glpinet.EINVALID {
		t.Fatalf("password made with another key: %v, want EINVALID", err)
	}
}
