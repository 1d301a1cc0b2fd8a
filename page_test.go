package glpinet

import (
	"testing"
	"time"
)

func TestPageSize(t *testing.T) {
	for _, tt := range []struct{ limit, want int }{{0, DefaultPageLimit}, {-3, DefaultPageLimit}, {1, 1}, {MaxPageLimit, MaxPageLimit}, {MaxPageLimit + 1, MaxPageLimit}} {
		if got := (Page{Limit: tt.limit}).Size(); got != tt.want {
			t.Errorf("Page{Limit: %d}.Size() = %d, want %d", tt.limit, got, tt.want)
		}
	}
}

func TestCut(t *testing.T) {
	cursor := func(n int) string { return IDCursor(CursorKeys, int64(n)) }
	rows, next := Cut(Page{Limit: 2}, []int{5, 4, 3}, cursor)
	if len(rows) != 2 || next != cursor(4) {
		t.Fatalf("Cut of 3 rows by 2 = %v, %q", rows, next)
	}
	if rows, next := Cut(Page{Limit: 2}, []int{5, 4}, cursor); len(rows) != 2 || next != "" {
		t.Fatalf("Cut of the last page = %v, %q", rows, next)
	}
}

func TestCursors(t *testing.T) {
	p := Page{After: IDCursor(CursorAudit, 42)}
	if id, err := p.AfterID(CursorAudit); err != nil || id != 42 {
		t.Fatalf("AfterID = %d, %v", id, err)
	}
	if _, err := p.AfterID(CursorKeys); ErrorCode(err) != EINVALID {
		t.Fatalf("an audit cursor read as a keys one: %v", err)
	}
	in := &Instance{KeyID: 7, UID: "a\x1fb|c", LastSeen: time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("X", 3600))}
	after, err := Page{After: InstanceCursor(in)}.AfterInstance()
	if err != nil || after.KeyID != 7 || after.UID != in.UID || !after.LastSeen.Equal(in.LastSeen) {
		t.Fatalf("AfterInstance = %+v, %v", after, err)
	}
	if after, err := (Page{}).AfterInstance(); after != nil || err != nil {
		t.Fatalf("the first page's AfterInstance = %+v, %v", after, err)
	}
	for _, bad := range []string{"?", "YWJj", IDCursor(CursorInstances, 3)} {
		if _, err := (Page{After: bad}).AfterInstance(); ErrorCode(err) != EINVALID {
			t.Errorf("AfterInstance(%q) = %v, want EINVALID", bad, err)
		}
	}
}

// FuzzCursor: no cursor, however made, panics a list or reads as another
// list's.
func FuzzCursor(f *testing.F) {
	f.Add(IDCursor(CursorUsers, 9))
	f.Add(InstanceCursor(&Instance{KeyID: 1, UID: "u", LastSeen: time.Unix(0, 0)}))
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, s string) {
		p := Page{After: s}
		if id, err := p.AfterID(CursorUsers); err == nil && s != "" && IDCursor(CursorUsers, id) != s {
			// Another spelling of the same ID (a leading zero, a sign)
			// is harmless: it reads as that ID.
			if id <= 0 {
				t.Fatalf("AfterID(%q) = %d", s, id)
			}
		}
		if after, err := p.AfterInstance(); err == nil && s != "" && after == nil {
			t.Fatalf("AfterInstance(%q) = nil, nil", s)
		}
	})
}
