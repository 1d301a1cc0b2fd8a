package client

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/glpinet/glpinet/signing"
)

// SigningKey fetches the Ed25519 public key a glpinet server signs its
// archives with (GET {services}/api/marketplace/signing-key; not part of
// GLPI's contract). It returns nil and no error only when the server
// answers 404: it does not sign (glpinet answers 404 then) or is not
// glpinet. Any other status, 4xx included, and any transport failure is
// an error: whoever answers that request (a proxy's 403, a captive
// portal, a redirect to another host) must not switch the check off.
func (c *GLPI) SigningKey(ctx context.Context) (ed25519.PublicKey, error) {
	req, err := c.marketplaceRequest(ctx, "signing-key")
	if err != nil {
		return nil, err
	}
	res, err := c.do(req)
	if err != nil {
		return nil, err
	}
	switch res.Status {
	case http.StatusNotFound:
		return nil, nil
	case http.StatusOK:
	default:
		return nil, fmt.Errorf("signing-key: status %d", res.Status)
	}
	var body struct {
		Algorithm string `json:"algorithm"`
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		return nil, fmt.Errorf("signing-key: %w", err)
	}
	key, ok := signing.ParsePublicKey(body.Algorithm, body.PublicKey)
	if !ok {
		return nil, fmt.Errorf("signing-key: not an Ed25519 public key (algorithm %q)", body.Algorithm)
	}
	return key, nil
}
