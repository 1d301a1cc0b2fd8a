package glpiapi

import (
	"net/http"
	"testing"
)

func TestParseXRange(t *testing.T) {
	tests := []struct {
		in   string
		want Range
	}{
		{"0-199", Range{0, 199}},
		{"200-399", Range{200, 399}},
		{" 400 - 599 ", Range{400, 599}},
		{"items=0-49", Range{0, 49}},
		{"", Range{0, 199}},
		{"garbage", Range{0, 199}},
		{"-5-10", Range{0, 199}},
		{"10-5", Range{10, 209}},
		{"10-", Range{10, 209}},
		{"0-99999", Range{0, 999}},
		{"0-9223372036854775807", Range{0, 999}},
		{"99999999999999999999-1", Range{0, 199}},
	}
	for _, tt := range tests {
		if got := ParseXRange(tt.in); got != tt.want {
			t.Errorf("ParseXRange(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseXRange(f *testing.F) {
	for _, s := range []string{"0-199", "200-399", "", "a-b", "items=5-9", "-1-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := ParseXRange(s)
		if r.Start < 0 || r.End < r.Start || r.End-r.Start >= maxPageSize {
			t.Fatalf("ParseXRange(%q) = %v: out of bounds", s, r)
		}
	})
}

func TestContentRange(t *testing.T) {
	for _, tt := range []struct {
		r     Range
		total int
		want  string
	}{
		{Range{0, 199}, 450, "0-199/450"},
		{Range{400, 599}, 450, "400-449/450"},
		{Range{600, 799}, 450, "*/450"},
	} {
		if got := contentRange(tt.r, tt.total); got != tt.want {
			t.Errorf("contentRange(%v, %d) = %q, want %q", tt.r, tt.total, got, tt.want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"gzip": true, "gzip, deflate, br": true, "deflate, gzip;q=0.5": true, "GZIP": true, "*": true,
		"gzip;q=0": false, "gzip; q=0.0": false, "": false, "deflate": false, "br, identity": false,
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", in)
		if got := acceptsGzip(r); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", in, got, want)
		}
	}
}
