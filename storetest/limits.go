package storetest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// testTextLimits stores texts at the limits of limits.go, which both
// stores apply through the domain types' Validate: exactly at a limit is
// accepted (counted in characters, so multi-byte ones are used), one
// character more is refused with an EINVALID error naming the field and
// the limit, and a refused write stores nothing.
func testTextLimits(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ctx := ctxFor(t)
	// n characters of two bytes each.
	text := func(n int) string { return strings.Repeat("é", n) }
	refused := func(what string, err error, field string, limit int) {
		t.Helper()
		wantCode(t, err, glpinet.EINVALID)
		if msg := glpinet.ErrorMessage(err); !strings.Contains(msg, field) || !strings.Contains(msg, " "+strconv.Itoa(limit)+" ") {
			t.Fatalf("%s: message %q, want it to name %q and the limit %d", what, msg, field, limit)
		}
	}
	newKey := func(accountID int64, label string) *glpinet.RegistrationKey {
		raw, err := glpinet.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		return &glpinet.RegistrationKey{AccountID: accountID, Hash: glpinet.HashKey(raw), Prefix: glpinet.KeyDisplayPrefix(raw), Label: label}
	}

	// Account names.
	a := mustAccount(t, s, text(glpinet.MaxNameLen))
	refused("CreateAccount", s.CreateAccount(ctx, &glpinet.Account{Name: text(glpinet.MaxNameLen + 1)}), "account name", glpinet.MaxNameLen)
	refused("SignUp", s.SignUp(ctx, &glpinet.Account{Name: text(glpinet.MaxNameLen + 1)}, newUser("long@example.com")), "account name", glpinet.MaxNameLen)
	if n, _ := s.CountAccounts(ctx); n != 1 {
		t.Fatalf("%d accounts after refused ones, want 1", n)
	}

	// Key labels: the one that was accepted at 900 KB, one character over,
	// exactly at the limit; for each way of issuing a key.
	atLimit := newKey(a.ID, text(glpinet.MaxLabelLen))
	if err := s.CreateKey(ctx, atLimit); err != nil {
		t.Fatalf("CreateKey with a label of exactly %d characters: %v", glpinet.MaxLabelLen, err)
	}
	if got, err := s.FindKeyByID(ctx, atLimit.ID); err != nil || got.Label != atLimit.Label {
		t.Fatalf("the label at the limit read back: %v, %v", got, err)
	}
	refused("CreateKey", s.CreateKey(ctx, newKey(a.ID, strings.Repeat("x", 900<<10))), "key label", glpinet.MaxLabelLen)
	refused("CreateKey", s.CreateKey(ctx, newKey(a.ID, text(glpinet.MaxLabelLen+1))), "key label", glpinet.MaxLabelLen)
	refused("RotateKey", s.RotateKey(ctx, atLimit.ID, newKey(0, text(glpinet.MaxLabelLen+1)), c.t.Add(time.Hour)), "key label", glpinet.MaxLabelLen)
	refused("CreateKeys", s.CreateKeys(ctx, []*glpinet.RegistrationKey{newKey(a.ID, "ok"), newKey(a.ID, text(glpinet.MaxLabelLen+1))}), "key label", glpinet.MaxLabelLen)
	// Not text: both stores refuse what PostgreSQL could not keep.
	wantCode(t, s.CreateKey(ctx, newKey(a.ID, "nul\x00byte")), glpinet.EINVALID)
	wantCode(t, s.CreateKey(ctx, newKey(a.ID, "bad \xff utf-8")), glpinet.EINVALID)
	if keys, _, err := s.ListKeys(ctx, a.ID, glpinet.Page{}); err != nil || len(keys) != 1 || keys[0].ReplacedBy != nil {
		t.Fatalf("keys after refused ones: %+v, %v; want the one at the limit, not rotated", keys, err)
	}

	// Users and tokens.
	u := newUser("jane@example.com")
	u.AccountID, u.Role, u.Name = a.ID, glpinet.RoleMember, text(glpinet.MaxNameLen)
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser with a name of exactly %d characters: %v", glpinet.MaxNameLen, err)
	}
	long := newUser("bob@example.com")
	long.AccountID, long.Role, long.Name = a.ID, glpinet.RoleMember, text(glpinet.MaxNameLen+1)
	refused("CreateUser", s.CreateUser(ctx, long), "user name", glpinet.MaxNameLen)
	far := newUser(strings.Repeat("a", 64) + "@" + strings.Repeat("b", 187) + ".com") // 256 bytes
	far.AccountID, far.Role = a.ID, glpinet.RoleMember
	refused("CreateUser", s.CreateUser(ctx, far), "e-mail", glpinet.MaxEmailLen)
	tok := &glpinet.APIToken{UserID: u.ID, Name: text(glpinet.MaxTokenNameLen + 1), Hash: glpinet.HashKey("gnt_long"), Display: "gnt_lon",
		Scopes: []glpinet.TokenScope{glpinet.ScopeRead}}
	refused("CreateToken", s.CreateToken(ctx, tok), "token name", glpinet.MaxTokenNameLen)
	tok.Name = text(glpinet.MaxTokenNameLen)
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatalf("CreateToken with a name of exactly %d characters: %v", glpinet.MaxTokenNameLen, err)
	}

	// Offers and tags.
	o := &glpinet.Offer{Reference: "gold", Level: 50, Titles: map[string]string{"en": text(glpinet.MaxTitleLen + 1)}}
	refused("SaveOffer", s.SaveOffer(ctx, o), "offer title (en)", glpinet.MaxTitleLen)
	o.Titles["en"], o.Features = text(glpinet.MaxTitleLen), []string{text(glpinet.MaxFeatureLen + 1)}
	refused("SaveOffer", s.SaveOffer(ctx, o), "offer feature", glpinet.MaxFeatureLen)
	o.Features = make([]string, glpinet.MaxFeatures+1)
	refused("SaveOffer", s.SaveOffer(ctx, o), "features", glpinet.MaxFeatures)
	o.Features = []string{text(glpinet.MaxFeatureLen)}
	if err := s.SaveOffer(ctx, o); err != nil {
		t.Fatalf("SaveOffer at the limits: %v", err)
	}
	refused("SaveTag", s.SaveTag(ctx, &glpinet.Tag{Key: "long", Names: map[string]string{"fr": text(glpinet.MaxTitleLen + 1)}}), "tag name (fr)", glpinet.MaxTitleLen)

	// Plugins, published or edited.
	p := samplePlugin("limits")
	p.Name = text(glpinet.MaxNameLen + 1)
	refused("PublishVersion", s.PublishVersion(ctx, p, sampleVersion("1.0.0"), false), "plugin name", glpinet.MaxNameLen)
	p.Name = text(glpinet.MaxNameLen)
	p.Descriptions[1].Long = text(glpinet.MaxDescriptionLen)
	if err := s.PublishVersion(ctx, p, sampleVersion("1.0.0"), false); err != nil {
		t.Fatalf("PublishVersion at the limits: %v", err)
	}
	p.Descriptions[1].Long = text(glpinet.MaxDescriptionLen + 1)
	refused("SavePluginMeta", s.SavePluginMeta(ctx, p), "long description (fr)", glpinet.MaxDescriptionLen)
	p.Descriptions[1].Long = "ok"
	p.Descriptions[0].Short = text(glpinet.MaxShortDescriptionLen + 1)
	refused("SavePluginMeta", s.SavePluginMeta(ctx, p), "short description (en)", glpinet.MaxShortDescriptionLen)
	p.Descriptions[0].Short = "ok"
	p.Authors = []string{text(glpinet.MaxNameLen + 1)}
	refused("SavePluginMeta", s.SavePluginMeta(ctx, p), "plugin author", glpinet.MaxNameLen)
	if got, err := s.FindPlugin(ctx, "limits"); err != nil || got.Descriptions[1].Long != text(glpinet.MaxDescriptionLen) {
		t.Fatalf("the plugin after refused edits: %v; want its description at the limit kept", err)
	}
}
