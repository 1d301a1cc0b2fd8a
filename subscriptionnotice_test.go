package glpinet

import (
	"slices"
	"testing"
	"time"
)

func TestDueSubscriptionNotice(t *testing.T) {
	end := day("2026-06-01")
	paid := func(mod func(s *Subscription)) *Subscription {
		s := &Subscription{ID: 1, OfferRef: "standard", Begin: day("2025-06-01"), End: &end, State: SubscriptionActive}
		if mod != nil {
			mod(s)
		}
		return s
	}
	h := time.Hour
	tests := []struct {
		name string
		s    *Subscription
		now  time.Time
		want SubscriptionNoticeKind
	}{
		{"far", paid(nil), end.Add(-31 * 24 * h), ""},
		{"just over 30 days", paid(nil), end.Add(-30*24*h - time.Second), ""},
		{"30 days", paid(nil), end.Add(-30 * 24 * h), Notice30Days},
		{"8 days", paid(nil), end.Add(-8 * 24 * h), Notice30Days},
		{"7 days", paid(nil), end.Add(-7 * 24 * h), Notice7Days},
		{"5 days", paid(nil), end.Add(-5 * 24 * h), Notice7Days},
		{"1 day", paid(nil), end.Add(-24 * h), Notice1Day},
		{"1 second", paid(nil), end.Add(-time.Second), Notice1Day},
		{"at the end", paid(nil), end, NoticeEnded},
		{"ended 29 days ago", paid(nil), end.Add(29 * 24 * h), NoticeEnded},
		{"ended 30 days ago", paid(nil), end.Add(30 * 24 * h), ""},
		{"free", paid(func(s *Subscription) { s.OfferRef = FreeOfferReference }), end, ""},
		{"never ends", paid(func(s *Subscription) { s.End = nil }), end, ""},
		{"suspended", paid(func(s *Subscription) { s.State = SubscriptionSuspended }), end, ""},
		{"not begun", paid(func(s *Subscription) { s.Begin = end.Add(-24 * h) }), end.Add(-48 * h), ""},
	}
	for _, tt := range tests {
		if got := DueSubscriptionNotice(tt.s, tt.now); got != tt.want {
			t.Errorf("%s: DueSubscriptionNotice = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLesserNotices(t *testing.T) {
	for kind, want := range map[SubscriptionNoticeKind][]SubscriptionNoticeKind{
		Notice30Days: nil,
		Notice7Days:  {Notice30Days},
		Notice1Day:   {Notice30Days, Notice7Days},
		NoticeEnded:  {Notice30Days, Notice7Days, Notice1Day},
		"other":      nil,
	} {
		if got := LesserNotices(kind); !slices.Equal(got, want) {
			t.Errorf("LesserNotices(%q) = %q, want %q", kind, got, want)
		}
	}
}

func TestDaysLeft(t *testing.T) {
	end := day("2026-06-01")
	for _, tt := range []struct {
		before time.Duration
		want   int
	}{{30 * 24 * time.Hour, 30}, {30*24*time.Hour - time.Hour, 30}, {7*24*time.Hour + time.Minute, 8}, {time.Second, 1}, {24 * time.Hour, 1}} {
		if got := DaysLeft(end, end.Add(-tt.before)); got != tt.want {
			t.Errorf("DaysLeft %s before = %d, want %d", tt.before, got, tt.want)
		}
	}
}

func TestSubscriptionContinued(t *testing.T) {
	offers := OfferMap(DefaultOffers())
	end := day("2026-06-01")
	s := &Subscription{ID: 1, OfferRef: "standard", Begin: day("2025-06-01"), End: &end, State: SubscriptionActive}
	free := &Subscription{ID: 2, OfferRef: "registered", Begin: day("2025-01-01"), State: SubscriptionActive}
	sub := func(id int64, ref, begin, end string, state SubscriptionState) *Subscription {
		return &Subscription{ID: id, OfferRef: ref, Begin: day(begin), End: dayPtr(end), State: state}
	}
	tests := []struct {
		name string
		subs []*Subscription
		want bool
	}{
		{"alone", []*Subscription{free, s}, false},
		{"renewed before its end", []*Subscription{free, s, sub(3, "standard", "2026-05-20", "2027-05-20", SubscriptionActive)}, true},
		{"renewed from its end", []*Subscription{free, s, sub(3, "standard", "2026-06-01", "2027-06-01", SubscriptionActive)}, true},
		{"renewed after a gap", []*Subscription{free, s, sub(3, "standard", "2026-06-10", "2027-06-10", SubscriptionActive)}, false},
		{"renewal suspended", []*Subscription{free, s, sub(3, "standard", "2026-05-20", "2027-05-20", SubscriptionSuspended)}, false},
		{"a higher offer", []*Subscription{free, s, sub(3, "advanced", "2026-01-01", "2026-12-01", SubscriptionActive)}, true},
		{"a lower offer", []*Subscription{free, s, sub(3, "basic", "2026-01-01", "2026-12-01", SubscriptionActive)}, false},
		{"a higher offer ending with it", []*Subscription{free, s, sub(3, "advanced", "2026-01-01", "2026-06-01", SubscriptionActive)}, false},
	}
	for _, tt := range tests {
		if got := SubscriptionContinued(s, tt.subs, offers); got != tt.want {
			t.Errorf("%s: SubscriptionContinued = %v, want %v", tt.name, got, tt.want)
		}
	}
}
