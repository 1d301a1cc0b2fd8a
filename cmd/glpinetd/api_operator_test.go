package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/auth"
	"github.com/glpinet/glpinet/client"
	"github.com/glpinet/glpinet/internal/testkit"
)

// TestOperatorAPI drives the operator's operations through the Go client:
// accounts, subscriptions, publishing, yanking, tags, audit.
func TestOperatorAPI(t *testing.T) {
	ts := startServer(t, nil)
	ctx := glpinet.WithActor(t.Context(), "test")
	hash, _ := auth.HashPassword("operator password", auth.DefaultParams)
	op := &glpinet.User{Email: "ops@provider.example", Name: "Ops", Role: glpinet.RoleOperator, PasswordHash: hash}
	if err := ts.DB.CreateUser(ctx, op); err != nil {
		t.Fatal(err)
	}
	raw, _ := auth.NewToken(auth.PrefixAPIToken)
	if err := ts.DB.CreateToken(ctx, &glpinet.APIToken{UserID: op.ID, Name: "ops", Hash: auth.HashToken(raw),
		Scopes: []glpinet.TokenScope{glpinet.ScopeAdmin, glpinet.ScopePublish}}); err != nil {
		t.Fatal(err)
	}
	api := &client.API{BaseURL: ts.URL(), Token: raw}

	accounts, err := api.Accounts(t.Context(), "basic", glpinet.Page{})
	if err != nil || len(accounts.Data) != 1 || accounts.Next != "" {
		t.Fatalf("Accounts: %+v, %v", accounts, err)
	}
	id := accounts.Data[0].ID
	sub, err := api.Grant(t.Context(), id, "advanced", "", "2099-12-31")
	if err != nil || sub.OfferRef != "advanced" {
		t.Fatalf("Grant: %+v, %v", sub, err)
	}
	detail, err := api.Account(t.Context(), id)
	if err != nil || detail.Running == nil || detail.Running.OfferRef != "advanced" {
		t.Fatalf("Account: %+v, %v", detail, err)
	}
	if _, err := api.Grant(t.Context(), id, "advanced", "", "31/12/2099"); apiCode(err) != "invalid" {
		t.Fatalf("bad date: %v", err)
	}
	if _, err := api.UpdateSubscription(t.Context(), sub.ID, "", glpinet.SubscriptionSuspended); err != nil {
		t.Fatal(err)
	}

	// Publish through the API; the version appears in the GLPI catalogue.
	path := testkit.Archive(t, t.TempDir(), testkit.Plugin{Key: "apiplugin", Version: "1.0.0", MinGLPI: "10.0.0", MaxGLPI: "12.0.0"})
	f, _ := os.Open(path)
	defer f.Close()
	res, err := api.Publish(t.Context(), "glpi-apiplugin-1.0.0.tar.gz", f, glpinet.PublishOptions{RequiredOffers: []string{"standard"}, Meta: glpinet.PluginMeta{Tags: []string{"api"}}})
	if err != nil || res.Version.Num != "1.0.0" || res.Entries == 0 {
		t.Fatalf("Publish: %+v, %v", res, err)
	}
	if _, err := api.Publish(t.Context(), "archive", strings.NewReader("x"), glpinet.PublishOptions{}); apiCode(err) != "invalid" {
		t.Fatalf("publish without a file name: %v", err)
	}
	if _, err := api.EditPlugin(t.Context(), "apiplugin", glpinet.PluginMeta{Name: "API plugin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.SaveTag(t.Context(), glpinet.Tag{Key: "api", Names: map[string]string{"en": "API", "fr": "API"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		plugins, _, err := ts.glpi("advanced", "10.0.16").Plugins(t.Context())
		if err != nil || len(plugins) != 1 || plugins[0].Name != "API plugin" || plugins[0].Versions[0].DownloadURL == nil {
			return fmt.Errorf("catalogue after publishing: %+v %v", plugins, err)
		}
		return nil
	})
	if err := api.Yank(t.Context(), "apiplugin", "1.0.0", true); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if plugins, _, _ := ts.glpi("advanced", "10.0.16").Plugins(t.Context()); len(plugins[0].Versions) != 0 {
			return fmt.Errorf("the yanked version is still listed")
		}
		return nil
	})
	// The audit log names the token that made each change.
	events, err := api.Audit(t.Context(), glpinet.AuditFilter{Action: "plugin.yank", Since: time.Now().Add(-time.Hour)})
	if err != nil || len(events.Data) != 1 || !strings.HasPrefix(events.Data[0].Actor, "token:") {
		t.Fatalf("Audit: %+v, %v", events, err)
	}
	if err := api.SetAccountState(t.Context(), id, true); err != nil {
		t.Fatal(err)
	}
	if d, _ := api.Account(t.Context(), id); d.State != glpinet.AccountSuspended {
		t.Fatalf("state after suspend: %s", d.State)
	}
}
