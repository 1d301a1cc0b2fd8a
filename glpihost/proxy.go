package glpihost

import (
	"context"
	"net"
	"net/url"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/glpicrypt"
)

// Proxy returns the proxy GLPI goes through (proxy_name, proxy_port,
// proxy_user and the encrypted proxy_passwd of glpi_configs), nil when
// none is set. GLPI's default port is 8080. key decrypts the password;
// a password that does not decrypt is EINVALID, since GLPI would then
// send an empty one.
func (c *ConfigDB) Proxy(ctx context.Context, key glpicrypt.Key) (*url.URL, error) {
	name, _, err := c.Get(ctx, ConfigProxyName)
	if err != nil || name == "" {
		return nil, err
	}
	port, _, err := c.Get(ctx, ConfigProxyPort)
	if err != nil {
		return nil, err
	}
	if port == "" {
		port = "8080"
	}
	u := &url.URL{Scheme: "http", Host: net.JoinHostPort(name, port)}
	user, _, err := c.Get(ctx, ConfigProxyUser)
	if err != nil || user == "" {
		return u, err
	}
	enc, _, err := c.Get(ctx, ConfigProxyPassword)
	if err != nil {
		return nil, err
	}
	pass, err := key.Decrypt(enc)
	if err != nil {
		return nil, glpinet.Errorf(glpinet.EINVALID, "GLPI's proxy password does not decrypt with glpicrypt.key: enter it again in Setup > General > Proxy")
	}
	u.User = url.UserPassword(user, pass)
	return u, nil
}
