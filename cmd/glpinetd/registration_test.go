package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/client"
)

func TestRegistrationInfo(t *testing.T) {
	ts := startServer(t, nil)
	ctx := t.Context()
	info := func(key, lang string) *client.RegistrationInfo {
		t.Helper()
		g := ts.glpi("", "10.0.16")
		g.Key, g.Lang = key, lang
		in, res, err := g.RegistrationInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != http.StatusOK {
			t.Fatalf("status %d, want 200 for every verdict", res.Status)
		}
		// GLPI reads owner and subscription unconditionally.
		var raw map[string]json.RawMessage
		json.Unmarshal(res.Body, &raw)
		for _, f := range []string{"is_valid", "validation_message", "owner", "subscription", "code"} {
			if _, ok := raw[f]; !ok {
				t.Fatalf("field %q missing from %s", f, res.Body)
			}
		}
		if res.Header.Get("Content-Encoding") != "" {
			t.Fatalf("/info must not be compressed (GLPI never asks for it)")
		}
		return in
	}

	reg := info(ts.keys["registered"], "en")
	if !reg.IsValid || reg.Code != "VALID" || reg.Owner.Name != "Customer registered" || reg.Subscription == nil ||
		!reg.Subscription.IsRunning || reg.Subscription.OfferReference != "registered" || reg.Subscription.EndDate != nil ||
		reg.Subscription.BeginDate == nil || *reg.Subscription.BeginDate != glpinet.FormatDate(time.Now()) {
		t.Fatalf("registered key: %+v %+v", reg, reg.Subscription)
	}
	adv := info(ts.keys["advanced"], "fr")
	if adv.Subscription.OfferReference != "advanced" || adv.Subscription.Title != "Avancé" || adv.Subscription.EndDate == nil ||
		!strings.HasPrefix(adv.ValidationMessage, "La clé d'enregistrement est valide") {
		t.Fatalf("advanced key in French: %+v %+v", adv, adv.Subscription)
	}
	// Keys survive copy and paste: surrounding white space and capitals.
	if in := info("  "+strings.ToUpper(ts.keys["basic"])+"\t", "en"); in.Code != "VALID" || in.Subscription.OfferReference != "basic" {
		t.Fatalf("pasted key: %+v", in)
	}

	k := ts.keys["standard"]
	typo := k[:10] + string("abcdefghijklmnopqrstuvwxyz234567"[(strings.IndexByte("abcdefghijklmnopqrstuvwxyz234567", k[10])+1)%32]) + k[11:]
	for _, tc := range []struct{ key, code, lang, msg string }{
		{"", "MISSING", "en", "No registration key"},
		{typo, "MALFORMED", "en", "typo"},
		{typo, "MALFORMED", "fr", "faute de frappe"},
		{k[:20], "MALFORMED", "en", "truncated"},
		{"ABCDEF0123456789", "MALFORMED", "en", `start with "gnk_"`},
		{mustGenerate(t), "UNKNOWN", "en", "Unknown registration key"},
	} {
		in := info(tc.key, tc.lang)
		if in.IsValid || in.Code != tc.code || in.Owner != nil || in.Subscription != nil || !strings.Contains(in.ValidationMessage, tc.msg) {
			t.Errorf("key %q: got %+v, want code %s and a message containing %q", tc.key, in, tc.code, tc.msg)
		}
	}

	// Changes made by another process reach the server through the change
	// feed: rotation keeps the old key for its grace period.
	actx := glpinet.WithActor(ctx, "test")
	raw, next, _ := newKey(0, "")
	rec, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["standard"]))
	if err := ts.DB.RotateKey(actx, rec.Key.ID, next, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if in := info(ts.keys["standard"], "en"); !strings.Contains(in.ValidationMessage, "replaced by a new key") || !in.IsValid {
			return fmt.Errorf("old key after rotation: %+v", in)
		}
		return nil
	})
	if in := info(raw, "en"); in.Code != "VALID" || in.Subscription.OfferReference != "standard" {
		t.Fatalf("new key after rotation: %+v", in)
	}
	// Revocation is immediate.
	if err := ts.DB.RevokeKey(actx, next.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if in := info(raw, "en"); in.Code != "REVOKED" || in.IsValid {
			return fmt.Errorf("revoked key: %+v", in)
		}
		return nil
	})

	// A suspended account: the key is known, nothing runs.
	basic, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["basic"]))
	if err := ts.DB.SetAccountState(actx, basic.Account.ID, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if in := info(ts.keys["basic"], "en"); in.Code != "ACCOUNT_SUSPENDED" || !in.IsValid || in.Subscription.IsRunning {
			return fmt.Errorf("suspended account: %+v", in)
		}
		return nil
	})

	// The paid subscription ends: the key falls back to the free offer.
	advRec, _ := ts.DB.FindKeyRecord(ctx, glpinet.HashKey(ts.keys["advanced"]))
	ended := time.Now().Add(-time.Minute)
	for _, s := range advRec.Subscriptions {
		if s.OfferRef == "advanced" {
			if _, err := ts.DB.UpdateSubscription(actx, s.ID, &ended, glpinet.SubscriptionActive); err != nil {
				t.Fatal(err)
			}
		}
	}
	lastDay := glpinet.LastDay(ended)
	eventually(t, func() error {
		if in := info(ts.keys["advanced"], "en"); in.Code != "VALID" || in.Subscription.OfferReference != "registered" {
			return fmt.Errorf("after the paid subscription ended: %+v", in.Subscription)
		}
		return nil
	})
	// GLPI's administrator reads, in the instance's language, which offer
	// ended and when, while the free offer keeps the instance registered.
	for lang, want := range map[string]string{
		"en": "Your Advanced subscription ended on " + lastDay,
		"fr": "Votre abonnement Avancé a pris fin le " + lastDay,
	} {
		if in := info(ts.keys["advanced"], lang); !strings.Contains(in.ValidationMessage, want) || !in.IsValid || !in.Subscription.IsRunning {
			t.Errorf("%s: %q (running %v), want it to contain %q", lang, in.ValidationMessage, in.Subscription.IsRunning, want)
		}
	}
	// And when no subscription runs at all, GLPI is told the subscription ended.
	for _, s := range advRec.Subscriptions {
		if s.OfferRef == "registered" {
			if _, err := ts.DB.UpdateSubscription(actx, s.ID, nil, glpinet.SubscriptionSuspended); err != nil {
				t.Fatal(err)
			}
		}
	}
	eventually(t, func() error {
		if in := info(ts.keys["advanced"], "en"); in.Code != "SUBSCRIPTION_ENDED" || !in.IsValid || in.Subscription.IsRunning ||
			!strings.Contains(in.ValidationMessage, "ended on") {
			return fmt.Errorf("with no running subscription: %+v %+v", in, in.Subscription)
		}
		return nil
	})

	// No request ever logs a key, even at debug level.
	for offer, key := range ts.keys {
		if strings.Contains(ts.logs.String(), key) {
			t.Fatalf("the %s key appears in the log", offer)
		}
	}
}

// TestRegistrationInternalError: when the database fails, a key the server
// has never seen gets a 5xx without is_valid (GLPI caches any is_valid for
// a day), while recently validated keys keep working from the cache.
func TestRegistrationInternalError(t *testing.T) {
	ts := startServer(t, nil)
	g := ts.glpi("registered", "10.0.16")
	if in, _, err := g.RegistrationInfo(t.Context()); err != nil || !in.IsValid {
		t.Fatalf("before the failure: %+v, %v", in, err)
	}
	ts.DB.Close()

	in, _, err := g.RegistrationInfo(t.Context())
	if err != nil || !in.IsValid {
		t.Fatalf("cached key during the failure: %+v, %v", in, err)
	}
	g.Key = mustGenerate(t)
	in, res, err := g.RegistrationInfo(t.Context())
	if err == nil || res.Status < 500 || strings.Contains(string(res.Body), "is_valid") {
		t.Fatalf("unseen key during the failure: status %d body %s (%+v): want a 5xx without is_valid", res.Status, res.Body, in)
	}
	resp, err := http.Get(ts.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d during a database failure, want 503", resp.StatusCode)
	}
}

func TestInstancesRecorded(t *testing.T) {
	ts := startServer(t, nil)
	g := ts.glpi("standard", "11.0.4")
	g.InstallMode = "GIT"
	if _, _, err := g.RegistrationInfo(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec, _ := ts.DB.FindKeyRecord(t.Context(), glpinet.HashKey(ts.keys["standard"]))
	if err := ts.Close(); err != nil { // flushes the pending sightings
		t.Fatal(err)
	}
	sf := ts.Store
	db, err := sf.open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ins, _, err := db.ListInstances(t.Context(), rec.Account.ID, glpinet.Page{})
	if err != nil || len(ins) != 1 {
		t.Fatalf("instances = %v, %v", ins, err)
	}
	if in := ins[0]; in.UID != g.UID || in.GLPIVersion != "11.0.4" || in.InstallMode != "GIT" || in.KeyID != rec.Key.ID {
		t.Fatalf("instance = %+v", in)
	}
}

func TestOffersAndAvailability(t *testing.T) {
	ts := startServer(t, nil)
	g := ts.glpi("", "10.0.16")
	g.Lang = "fr"
	offers, err := g.Offers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var refs, titles []string
	for _, o := range offers {
		refs, titles = append(refs, o.OfferReference), append(titles, o.Title)
	}
	if strings.Join(refs, ",") != "registered,basic,standard,advanced" || titles[0] != "Enregistré (gratuit)" {
		t.Fatalf("offers = %v %v", refs, titles)
	}
	for _, path := range []string{"/api/registration/", "/api/ping"} {
		if !g.Available(t.Context(), path) {
			t.Errorf("%s: GLPI would think the services are down", path)
		}
		// get does not follow redirects: GLPI 12 fails on any.
		if status, _, body := get(t, ts.URL()+path+"?unused=1", nil); status != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: status %d, want 200 with a body (no redirect)", path, status)
		}
	}
}

// TestDoubledSlashes: GLPI_NETWORK_SERVICES set with a trailing slash
// makes GLPI ask for "//api/…"; that must be answered, not redirected.
func TestDoubledSlashes(t *testing.T) {
	ts := startServer(t, nil)
	for _, path := range []string{"//api/registration/info", "/api//registration/", "//api/ping", "/api/marketplace//plugins"} {
		status, _, body := get(t, ts.URL()+path, map[string]string{"X-Registration-Key": ts.keys["basic"]})
		if status != http.StatusOK {
			t.Errorf("%s: status %d (%s), want 200", path, status, body)
		}
	}
}

// TestHeadersCaseInsensitive sends header names in lower case and an
// unknown query string: both must make no difference.
func TestHeadersCaseInsensitive(t *testing.T) {
	ts := startServer(t, nil)
	req, _ := http.NewRequest("GET", ts.URL()+"/api/registration/info?utm_source=x", nil)
	req.Header["x-registration-key"] = []string{ts.keys["basic"]}
	req.Header["accept-language"] = []string{"fr"}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `"code":"VALID"`) || !strings.Contains(string(b), "valide") {
		t.Fatalf("lower-case headers: %s", b)
	}
}

func mustGenerate(t *testing.T) string {
	k, err := glpinet.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
