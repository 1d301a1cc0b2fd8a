package storeflow

import (
	"errors"
	"testing"

	"github.com/glpinet/glpinet"
	"github.com/google/go-cmp/cmp"
)

// The flows themselves run against both stores in storetest; these are
// the helpers the stores call directly.

func TestOne(t *testing.T) {
	notFound := glpinet.Errorf(glpinet.ENOTFOUND, "none")
	failed := errors.New("read failed")
	tests := []struct {
		name string
		list []int
		err  error
		want int
		werr error
	}{
		{"one", []int{7}, nil, 7, nil},
		{"none", nil, nil, 0, notFound},
		{"failed read", []int{7}, failed, 0, failed},
	}
	for _, tt := range tests {
		got, err := One(tt.list, tt.err, notFound)
		if got != tt.want || err != tt.werr {
			t.Errorf("%s: One = %d, %v; want %d, %v", tt.name, got, err, tt.want, tt.werr)
		}
	}
}

func TestJSONColumns(t *testing.T) {
	if got := JSONList[string](nil); got != "[]" {
		t.Errorf("JSONList(nil) = %s, want []", got)
	}
	if got := JSONMap(nil); got != "{}" {
		t.Errorf("JSONMap(nil) = %s, want {}", got)
	}
	var titles map[string]string
	var features []string
	if err := DecodeJSON([]string{JSONMap(map[string]string{"en": "Basic"}), JSONList([]string{"a", "b"})}, &titles, &features); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"en": "Basic"}, titles); diff != "" {
		t.Errorf("titles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, features); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}
	if err := DecodeJSON([]string{"{"}, &titles); err == nil {
		t.Error("DecodeJSON accepted broken JSON")
	}
}
