package storetest

import (
	"strconv"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/google/go-cmp/cmp"
)

func samplePlugin(key string) *glpinet.Plugin {
	return &glpinet.Plugin{
		Key: key, Name: "Plugin " + key, License: "GPLv3+", Authors: []string{"Teclib'", "Jane Doe"},
		HomepageURL: "https://example.com/" + key,
		Descriptions: []glpinet.Description{
			{Lang: "en", Short: "Short " + key, Long: "Long text"},
			{Lang: "fr", Short: "Court " + key, Long: "Texte long"},
		},
		Tags: []string{"reports", "inventory"},
	}
}

func sampleVersion(num string, offers ...string) *glpinet.Version {
	return &glpinet.Version{
		Num: num, Compatibility: "~10.0", Stability: glpinet.StabilityStable, RequiredOffers: offers,
		Archive: glpinet.Archive{Filename: "glpi-x-" + num + ".tar.gz", Format: "tar.gz", Size: 1234, SHA256: "ab", Path: "x/" + num + ".tar.gz"},
	}
}

func testPlugins(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)

	p := samplePlugin("reports")
	if err := s.PublishVersion(ctx, p, sampleVersion("1.0.0"), false); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	if err := s.PublishVersion(ctx, p, sampleVersion("1.1.0", "basic"), false); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.PublishVersion(ctx, p, sampleVersion("1.1.0"), false), glpinet.ECONFLICT)
	wantCode(t, s.PublishVersion(ctx, p, sampleVersion("1.2.0", "platinum"), false), glpinet.EINVALID)
	wantCode(t, s.PublishVersion(ctx, &glpinet.Plugin{Key: "Bad-Key", Name: "x"}, sampleVersion("1"), false), glpinet.EINVALID)

	// Forcing replaces the version's archive and offers.
	forced := sampleVersion("1.1.0", "standard")
	forced.Archive.SHA256 = "cd"
	if err := s.PublishVersion(ctx, p, forced, true); err != nil {
		t.Fatal(err)
	}
	if err := s.PublishVersion(ctx, samplePlugin("addressing"), sampleVersion("3.0.0"), false); err != nil {
		t.Fatal(err)
	}

	got, err := s.FindPlugin(ctx, "reports")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Versions) != 2 || got.Versions[0].Num != "1.0.0" || got.Versions[1].Archive.SHA256 != "cd" {
		t.Fatalf("versions = %+v", got.Versions)
	}
	if diff := cmp.Diff([]string{"standard"}, got.Versions[1].RequiredOffers); diff != "" {
		t.Fatalf("required offers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(p.Descriptions, got.Descriptions); diff != "" {
		t.Fatalf("descriptions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"inventory", "reports"}, got.Tags); diff != "" {
		t.Fatalf("tags (-want +got):\n%s", diff)
	}
	if !got.DateAdded.Equal(newClock().t) || !got.DateUpdated.Equal(c.t) {
		t.Fatalf("dates added/updated = %v / %v", got.DateAdded, got.DateUpdated)
	}
	_, err = s.FindPlugin(ctx, "nothing")
	wantCode(t, err, glpinet.ENOTFOUND)

	all, err := s.ListPlugins(ctx)
	if err != nil || len(all) != 2 || all[0].Key != "addressing" || all[1].Key != "reports" {
		t.Fatalf("ListPlugins = %v, %v", all, err)
	}
	v, err := s.FindVersion(ctx, "reports", "1.0.0")
	if err != nil || v.Archive.Path != "x/1.0.0.tar.gz" || v.Compatibility != "~10.0" {
		t.Fatalf("FindVersion = %+v, %v", v, err)
	}
	_, err = s.FindVersion(ctx, "reports", "9.9")
	wantCode(t, err, glpinet.ENOTFOUND)

	if err := s.AddDownloads(ctx, "reports", 3); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindPlugin(ctx, "reports")
	if got.DownloadCount != 3 {
		t.Fatalf("download count = %d, want 3", got.DownloadCount)
	}
	wantCode(t, s.AddDownloads(ctx, "nothing", 1), glpinet.ENOTFOUND)

	// Editing the text keeps the versions; yanking hides nothing from the
	// store but marks the version.
	edited := *got
	edited.Name, edited.Tags, edited.License = "Reports renamed", []string{"reports"}, "MIT"
	if err := s.SavePluginMeta(ctx, &edited); err != nil {
		t.Fatal(err)
	}
	if err := s.YankVersion(ctx, "reports", "1.0.0", true); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindPlugin(ctx, "reports")
	if got.Name != "Reports renamed" || got.License != "MIT" || len(got.Tags) != 1 || len(got.Versions) != 2 || !got.Versions[0].Yanked || got.Versions[1].Yanked {
		t.Fatalf("after edit and yank: %+v %+v", got, got.Versions)
	}
	if err := s.YankVersion(ctx, "reports", "1.0.0", false); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.FindVersion(ctx, "reports", "1.0.0"); v.Yanked {
		t.Fatal("unyank")
	}
	wantCode(t, s.YankVersion(ctx, "reports", "9.9", true), glpinet.ENOTFOUND)
	wantCode(t, s.SavePluginMeta(ctx, &glpinet.Plugin{Key: "nothing", Name: "x"}), glpinet.ENOTFOUND)
	edited.Tags = []string{"inventory", "reports"}
	s.SavePluginMeta(ctx, &edited)

	if err := s.SaveTag(ctx, &glpinet.Tag{Key: "reports", Names: map[string]string{"en": "Reports", "fr": "Rapports"}}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.SaveTag(ctx, &glpinet.Tag{Key: "no spaces"}), glpinet.EINVALID)
	tags, err := s.ListTags(ctx)
	if err != nil || len(tags) != 2 || tags[0].Plugins != 2 {
		t.Fatalf("ListTags = %v, %v", tags, err)
	}
	for _, tg := range tags {
		if tg.Key == "reports" && tg.Name("fr") != "Rapports" {
			t.Fatalf("tag names = %v", tg.Names)
		}
	}
}

func testAuditAndChanges(t *testing.T, open Opener) {
	s := open(t, newClock().Now)
	ctx := ctxFor(t)
	start, err := s.LastChangeID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := mustAccount(t, s, "ACME")
	_, k := mustKey(t, s, a.ID)
	if err := s.RevokeKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAccountState(ctx, a.ID, glpinet.AccountSuspended); err != nil {
		t.Fatal(err)
	}
	changes, err := s.ChangesSince(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, ch := range changes {
		topics = append(topics, ch.Topic)
	}
	if diff := cmp.Diff([]string{glpinet.TopicKey, glpinet.TopicKey, glpinet.TopicAccount}, topics); diff != "" {
		t.Fatalf("change topics (-want +got):\n%s", diff)
	}
	if last, _ := s.LastChangeID(ctx); last != changes[len(changes)-1].ID {
		t.Fatalf("LastChangeID = %d, want %d", last, changes[len(changes)-1].ID)
	}
	if more, _ := s.ChangesSince(ctx, changes[0].ID, 1); len(more) != 1 || more[0].ID != changes[1].ID {
		t.Fatalf("ChangesSince with limit = %v", more)
	}

	events, _, err := s.ListAuditEvents(ctx, glpinet.AuditFilter{Actor: "test:storetest"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	if diff := cmp.Diff([]string{"account.state", "key.revoke", "key.issue", "account.create"}, actions); diff != "" {
		t.Fatalf("audit actions (-want +got):\n%s", diff)
	}
	only, _, _ := s.ListAuditEvents(ctx, glpinet.AuditFilter{Action: "key.revoke"})
	if len(only) != 1 || only[0].Subject != "account:"+strconv.FormatInt(a.ID, 10) {
		t.Fatalf("filtered audit = %v", only)
	}
}
