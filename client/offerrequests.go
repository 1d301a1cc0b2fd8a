package client

import (
	"context"
	"net/url"
	"strconv"

	"github.com/glpinet/glpinet"
)

// OfferRequests lists offer requests, newest first, in state ("" for
// every state): the token's account's, or for an operator's token every
// account's (account 0) or account's.
func (c *API) OfferRequests(ctx context.Context, state glpinet.OfferRequestState, account int64) (*List[glpinet.OfferRequest], error) {
	q := url.Values{}
	if state != "" {
		q.Set("state", string(state))
	}
	if account != 0 {
		q.Set("account", strconv.FormatInt(account, 10))
	}
	path := "/api/v1/offer-requests"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out List[glpinet.OfferRequest]
	return &out, c.do(ctx, "GET", path, nil, &out)
}

// RequestOffer asks the operators for offer (a reference such as
// "standard") for the token's account, with message for them.
func (c *API) RequestOffer(ctx context.Context, offer, message string) (*glpinet.OfferRequest, error) {
	var out glpinet.OfferRequest
	return &out, c.do(ctx, "POST", "/api/v1/offer-requests", map[string]string{"offer": offer, "message": message}, &out)
}

// Grant is a granted offer request with the subscription it made.
type Grant struct {
	Request      *glpinet.OfferRequest `json:"request"`
	Subscription *glpinet.Subscription `json:"subscription"`
}

// GrantOfferRequest grants pending request id (operators) until the last
// day until, YYYY-MM-DD ("" for one year from today).
func (c *API) GrantOfferRequest(ctx context.Context, id int64, until string) (*Grant, error) {
	var out Grant
	return &out, c.do(ctx, "POST", "/api/v1/offer-requests/"+strconv.FormatInt(id, 10)+"/grant", map[string]string{"until": until}, &out)
}

// DeclineOfferRequest declines pending request id (operators); reason, if
// any, is mailed to the requester.
func (c *API) DeclineOfferRequest(ctx context.Context, id int64, reason string) (*glpinet.OfferRequest, error) {
	var out glpinet.OfferRequest
	return &out, c.do(ctx, "POST", "/api/v1/offer-requests/"+strconv.FormatInt(id, 10)+"/decline", map[string]string{"reason": reason}, &out)
}
