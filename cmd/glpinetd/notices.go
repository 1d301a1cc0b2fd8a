package main

import (
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/mail"
)

// newNotices is serve's sender of subscription notices, nil without
// --smtp: notices enqueued while no mail can leave would arrive late
// ("ends in 7 days" weeks after), so none are recorded until mail is set.
// The mails link to the offers page with --public-url only: a link built
// from a request would be its sender's choice.
func (m *Main) newNotices(db glpinet.SubscriptionNoticeStore, metrics *mail.NoticeMetrics) *mail.Notices {
	if m.Mail.server == nil {
		return nil
	}
	offers := ""
	if m.PublicURL != "" {
		offers = strings.TrimRight(m.PublicURL, "/") + "/offers"
	}
	return &mail.Notices{Store: db, OffersURL: offers, Log: m.Logger, Metrics: metrics, Wake: m.MailWorker.Wake}
}
