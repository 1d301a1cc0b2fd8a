package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/glpinet/glpinet"
)

// TestBrowserMemberRemoval: in real Chromium, an owner removes a member
// from the members page (through its confirmation page), and the
// member's open page, reloaded, is the login page: they lost access at
// once.
func TestBrowserMemberRemoval(t *testing.T) {
	f := newMemberFixture(t, "")
	member, _, _ := f.user("member@team.example", f.account.ID, glpinet.RoleMember)
	c := newChrome(t)
	base := f.m.URL()
	signIn := func(email string) (tab context.Context) {
		tab = c.tab()
		c.do(tab, "sign in as "+email, chromedp.Navigate(base+"/login"),
			chromedp.SendKeys(chromedp.CSS("input[name=email]"), email),
			chromedp.SendKeys(chromedp.CSS("input[name=password]"), memberPassword),
			chromedp.Submit(chromedp.CSS("input[name=password]")),
			chromedp.WaitVisible(chromedp.CSS("main[data-page=dashboard]")))
		return tab
	}
	owner, colleague := signIn("owner@team.example"), signIn("member@team.example")
	c.do(colleague, "the member's members page", chromedp.Navigate(base+"/members"), chromedp.WaitVisible(chromedp.CSS("main[data-page=members]")))

	remove := fmt.Sprintf(`a[href="/members/%d/remove"]`, member.ID)
	c.do(owner, "the owner's members page", chromedp.Navigate(base+"/members"), chromedp.WaitVisible(chromedp.CSS(remove)))
	c.do(owner, "remove, then confirm", chromedp.Click(chromedp.CSS(remove)),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=member_confirm] button.danger")),
		chromedp.Click(chromedp.CSS("main[data-page=member_confirm] button.danger")),
		chromedp.WaitVisible(chromedp.CSS("main[data-page=members] .flash")))
	if text := c.text(owner); strings.Contains(text, "member@team.example") {
		t.Fatalf("the removed member is still listed:\n%s", text)
	}
	c.do(colleague, "the removed member reloads", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("input[name=password]")))
	c.do(colleague, "the removed member opens their keys", chromedp.Navigate(base+"/keys"), chromedp.WaitVisible(chromedp.CSS("input[name=password]")))
}
