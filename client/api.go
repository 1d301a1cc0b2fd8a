package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glpinet/glpinet"
)

// API is a client of glpinet's management API (/api/v1), authenticated by
// a personal token made in the portal.
type API struct {
	BaseURL string
	Token   string
	HTTP    *http.Client // nil: a client with a 60 s timeout
}

// Error is an error answer of the API.
type Error struct {
	Status    int    `json:"-"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("glpinet API: %d %s: %s", e.Status, e.Code, e.Message)
}

// List is a page of a list answer. The lists that grow (keys, instances,
// users, accounts, audit events) are read by keyset: they have Next, the
// cursor of the next page ("" on the last), and neither Total nor Offset.
type List[T any] struct {
	Data   []T    `json:"data"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Next   string `json:"next"`
}

// pageQuery is the query string asking for page p, "" for the first
// page of the default size.
func pageQuery(q url.Values, p glpinet.Page) string {
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.After != "" {
		q.Set("after", p.After)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// do sends a request with a JSON (or raw, when body is an io.Reader) body
// and decodes a JSON answer into out.
func (c *API) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rd, ctype = b, "application/octet-stream"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(data, e) != nil || e.Code == "" {
			e.Code, e.Message = "http", strings.TrimSpace(string(data))
		}
		return e
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// Me is the answer of /api/v1/me.
type Me struct {
	User    *glpinet.User        `json:"user"`
	Account *glpinet.Account     `json:"account"`
	Scopes  []glpinet.TokenScope `json:"scopes"`
}

// Me returns the calling user and account.
func (c *API) Me(ctx context.Context) (*Me, error) {
	var out Me
	return &out, c.do(ctx, "GET", "/api/v1/me", nil, &out)
}

// IssuedKey is a new registration key: the only time it is shown.
type IssuedKey struct {
	Key string `json:"key"`
	glpinet.RegistrationKey
	Replaces         *int64     `json:"replaces"`
	OldKeyValidUntil *time.Time `json:"old_key_valid_until"`
}

// Keys lists a page of the account's keys.
func (c *API) Keys(ctx context.Context, p glpinet.Page) (*List[glpinet.RegistrationKey], error) {
	var out List[glpinet.RegistrationKey]
	return &out, c.do(ctx, "GET", "/api/v1/keys"+pageQuery(url.Values{}, p), nil, &out)
}

// IssueKey issues a key.
func (c *API) IssueKey(ctx context.Context, label string) (*IssuedKey, error) {
	var out IssuedKey
	return &out, c.do(ctx, "POST", "/api/v1/keys", map[string]string{"label": label}, &out)
}

// RotateKey replaces key id; the old key works for grace (nil: default).
func (c *API) RotateKey(ctx context.Context, id int64, grace *time.Duration) (*IssuedKey, error) {
	body := map[string]any{}
	if grace != nil {
		body["grace_hours"] = int(grace.Hours())
	}
	var out IssuedKey
	return &out, c.do(ctx, "POST", "/api/v1/keys/"+strconv.FormatInt(id, 10)+"/rotate", body, &out)
}

// RevokeKey revokes key id.
func (c *API) RevokeKey(ctx context.Context, id int64) error {
	return c.do(ctx, "POST", "/api/v1/keys/"+strconv.FormatInt(id, 10)+"/revoke", nil, nil)
}

// Subscriptions lists the account's subscriptions.
func (c *API) Subscriptions(ctx context.Context) (*List[glpinet.Subscription], error) {
	var out List[glpinet.Subscription]
	return &out, c.do(ctx, "GET", "/api/v1/subscriptions", nil, &out)
}

// Instances lists a page of the GLPI instances seen with the account's
// keys.
func (c *API) Instances(ctx context.Context, p glpinet.Page) (*List[glpinet.Instance], error) {
	var out List[glpinet.Instance]
	return &out, c.do(ctx, "GET", "/api/v1/instances"+pageQuery(url.Values{}, p), nil, &out)
}

// Users lists a page of the account's users.
func (c *API) Users(ctx context.Context, p glpinet.Page) (*List[glpinet.User], error) {
	var out List[glpinet.User]
	return &out, c.do(ctx, "GET", "/api/v1/users"+pageQuery(url.Values{}, p), nil, &out)
}

// NewInvitation is a new invitation with its link: the only time it is shown.
type NewInvitation struct {
	glpinet.Invitation
	Link string `json:"link"`
}

// Invite creates an invitation link.
func (c *API) Invite(ctx context.Context, role glpinet.UserRole, maxUses, days int) (*NewInvitation, error) {
	var out NewInvitation
	return &out, c.do(ctx, "POST", "/api/v1/invitations", map[string]any{"role": role, "max_uses": maxUses, "days": days}, &out)
}

// InviteByEmail creates an invitation link and has the server mail it to
// email, in the caller's language.
func (c *API) InviteByEmail(ctx context.Context, email string, role glpinet.UserRole, maxUses, days int) (*NewInvitation, error) {
	var out NewInvitation
	return &out, c.do(ctx, "POST", "/api/v1/invitations", map[string]any{"role": role, "max_uses": maxUses, "days": days, "email": email}, &out)
}

// Invitations lists the account's invitations.
func (c *API) Invitations(ctx context.Context) (*List[glpinet.Invitation], error) {
	var out List[glpinet.Invitation]
	return &out, c.do(ctx, "GET", "/api/v1/invitations", nil, &out)
}

// RevokeInvitation revokes invitation id.
func (c *API) RevokeInvitation(ctx context.Context, id int64) error {
	return c.do(ctx, "POST", "/api/v1/invitations/"+strconv.FormatInt(id, 10)+"/revoke", nil, nil)
}

// Offers lists the offers.
func (c *API) Offers(ctx context.Context) (*List[glpinet.Offer], error) {
	var out List[glpinet.Offer]
	return &out, c.do(ctx, "GET", "/api/v1/offers", nil, &out)
}

// SaveOffer creates or changes an offer (operators).
func (c *API) SaveOffer(ctx context.Context, o glpinet.Offer) (*glpinet.Offer, error) {
	var out glpinet.Offer
	return &out, c.do(ctx, "PUT", "/api/v1/offers/"+url.PathEscape(o.Reference), o, &out)
}

// Accounts searches accounts by name, a page at a time (operators).
func (c *API) Accounts(ctx context.Context, q string, p glpinet.Page) (*List[glpinet.Account], error) {
	var out List[glpinet.Account]
	return &out, c.do(ctx, "GET", "/api/v1/accounts"+pageQuery(url.Values{"q": {q}}, p), nil, &out)
}

// AccountDetail is an account with its subscriptions.
type AccountDetail struct {
	glpinet.Account
	Subscriptions []*glpinet.Subscription `json:"subscriptions"`
	Running       *glpinet.Subscription   `json:"running_subscription"`
}

// Account returns an account (operators).
func (c *API) Account(ctx context.Context, id int64) (*AccountDetail, error) {
	var out AccountDetail
	return &out, c.do(ctx, "GET", "/api/v1/accounts/"+strconv.FormatInt(id, 10), nil, &out)
}

// SetAccountState suspends (true) or reactivates an account (operators).
func (c *API) SetAccountState(ctx context.Context, id int64, suspended bool) error {
	verb := "activate"
	if suspended {
		verb = "suspend"
	}
	return c.do(ctx, "POST", "/api/v1/accounts/"+strconv.FormatInt(id, 10)+"/"+verb, nil, nil)
}

// Grant gives account id an offer from one day until another, included
// (days as YYYY-MM-DD; from "" is today). Operators.
func (c *API) Grant(ctx context.Context, id int64, offer, from, until string) (*glpinet.Subscription, error) {
	var out glpinet.Subscription
	return &out, c.do(ctx, "POST", "/api/v1/accounts/"+strconv.FormatInt(id, 10)+"/subscriptions",
		map[string]string{"offer": offer, "from": from, "until": until}, &out)
}

// UpdateSubscription sets a subscription's last day ("" = no end) and
// state. Operators.
func (c *API) UpdateSubscription(ctx context.Context, id int64, until string, state glpinet.SubscriptionState) (*glpinet.Subscription, error) {
	var out glpinet.Subscription
	return &out, c.do(ctx, "PATCH", "/api/v1/subscriptions/"+strconv.FormatInt(id, 10),
		map[string]string{"until": until, "state": string(state)}, &out)
}

// Audit returns a page (f.Page) of the audit events matching f
// (operators).
func (c *API) Audit(ctx context.Context, f glpinet.AuditFilter) (*List[glpinet.AuditEvent], error) {
	q := url.Values{}
	for k, v := range map[string]string{"actor": f.Actor, "action": f.Action, "subject": f.Subject} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if !f.Since.IsZero() {
		q.Set("since", f.Since.UTC().Format(time.RFC3339))
	}
	var out List[glpinet.AuditEvent]
	return &out, c.do(ctx, "GET", "/api/v1/audit"+pageQuery(q, f.Page), nil, &out)
}

// Plugins returns the catalogue.
func (c *API) Plugins(ctx context.Context) (*List[glpinet.Plugin], error) {
	var out List[glpinet.Plugin]
	return &out, c.do(ctx, "GET", "/api/v1/plugins?limit=1000", nil, &out)
}

// Plugin returns one plugin.
func (c *API) Plugin(ctx context.Context, key string) (*glpinet.Plugin, error) {
	var out glpinet.Plugin
	return &out, c.do(ctx, "GET", "/api/v1/plugins/"+url.PathEscape(key), nil, &out)
}

// Publish uploads an archive named filename (its extension gives its
// format) and publishes it (operators, publish scope).
func (c *API) Publish(ctx context.Context, filename string, archive io.Reader, opts glpinet.PublishOptions) (*glpinet.PublishResult, error) {
	q := url.Values{"filename": {filename}}
	if len(opts.RequiredOffers) > 0 {
		q.Set("required_offers", strings.Join(opts.RequiredOffers, ","))
	}
	if opts.Compatibility != "" {
		q.Set("compatibility", opts.Compatibility)
	}
	if opts.Stability != "" {
		q.Set("stability", opts.Stability)
	}
	if len(opts.Meta.Tags) > 0 {
		q.Set("tags", strings.Join(opts.Meta.Tags, ","))
	}
	if opts.Force {
		q.Set("force", "1")
	}
	var out glpinet.PublishResult
	return &out, c.do(ctx, "POST", "/api/v1/plugins?"+q.Encode(), archive, &out)
}

// EditPlugin changes a plugin's catalogue text.
func (c *API) EditPlugin(ctx context.Context, key string, m glpinet.PluginMeta) (*glpinet.Plugin, error) {
	var out glpinet.Plugin
	return &out, c.do(ctx, "PATCH", "/api/v1/plugins/"+url.PathEscape(key), m, &out)
}

// Yank withdraws a version (yanked true) or puts it back.
func (c *API) Yank(ctx context.Context, key, version string, yanked bool) error {
	verb := "unyank"
	if yanked {
		verb = "yank"
	}
	return c.do(ctx, "POST", "/api/v1/plugins/"+url.PathEscape(key)+"/versions/"+url.PathEscape(version)+"/"+verb, nil, nil)
}

// Tags lists the tags.
func (c *API) Tags(ctx context.Context) (*List[glpinet.TagCount], error) {
	var out List[glpinet.TagCount]
	return &out, c.do(ctx, "GET", "/api/v1/tags", nil, &out)
}

// SaveTag creates or renames a tag.
func (c *API) SaveTag(ctx context.Context, t glpinet.Tag) (*glpinet.Tag, error) {
	var out glpinet.Tag
	return &out, c.do(ctx, "PUT", "/api/v1/tags/"+url.PathEscape(t.Key), t, &out)
}
