package client

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
)

// SigningKey fetches the Ed25519 public key a glpinet server signs its
// archives with (GET {services}/api/marketplace/signing-key; not part of
// GLPI's contract). It returns nil and no error when the server answers
// with a 4xx status: it does not sign (glpinet answers 404 then) or is not
// glpinet, so there is nothing to check. A transport failure or a 5xx is
// an error, so that a passing outage never silently switches the check off.
func (c *GLPI) SigningKey(ctx context.Context) (ed25519.PublicKey, error) {
	req, err := c.marketplaceRequest(ctx, "signing-key")
	if err != nil {
		return nil, err
	}
	res, err := c.do(req)
	if err != nil {
		return nil, err
	}
	switch {
	case res.Status >= 400 && res.Status < 500:
		return nil, nil
	case res.Status != http.StatusOK:
		return nil, fmt.Errorf("signing-key: status %d", res.Status)
	}
	var body struct {
		Algorithm string `json:"algorithm"`
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		return nil, fmt.Errorf("signing-key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(body.PublicKey)
	if body.Algorithm != "ed25519" || err != nil || len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("signing-key: not an Ed25519 public key (algorithm %q)", body.Algorithm)
	}
	return ed25519.PublicKey(key), nil
}
