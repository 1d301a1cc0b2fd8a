package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOpenAPIMatchesRoutes keeps the OpenAPI document and the served
// /api/v1 routes in step: each must list exactly the other's operations.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	a := &Handler{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := http.NewServeMux()
	var served []string
	a.Register(func(pattern string, fn http.HandlerFunc) {
		h.HandleFunc(pattern, fn)
		if pattern != "GET /api/v1/openapi.json" {
			served = append(served, pattern)
		}
	})
	documented := APIOperations()
	sort.Strings(served)
	sort.Strings(documented)
	if diff := cmp.Diff(documented, served); diff != "" {
		t.Fatalf("documented (-) and served (+) /api/v1 operations differ:\n%s", diff)
	}

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || doc.OpenAPI != "3.0.3" {
		t.Fatalf("openapi.json: %v %.200s", err, w.Body.Bytes())
	}
	n := 0
	for path, item := range doc.Paths {
		for method, op := range item {
			n++
			if op["responses"] == nil || op["summary"] == "" {
				t.Errorf("%s %s is undocumented", method, path)
			}
		}
	}
	if n != len(documented) {
		t.Fatalf("the document has %d operations, want %d", n, len(documented))
	}
	// Schemas come from the Go types: a key never has its hash.
	keyProps := doc.Paths["/api/v1/keys"]["post"]["responses"].(map[string]any)["201"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)["properties"].(map[string]any)
	if _, ok := keyProps["key"]; !ok {
		t.Fatal("the issued key's schema lacks the key")
	}
	if _, ok := keyProps["Hash"]; ok {
		t.Fatal("the schema exposes the key's hash")
	}
	// The lists that grow are read by keyset: ?limit= and ?after= in,
	// next out.
	for _, path := range []string{"/api/v1/keys", "/api/v1/instances", "/api/v1/users", "/api/v1/accounts", "/api/v1/audit"} {
		op := doc.Paths[path]["get"]
		var names []string
		for _, p := range op["parameters"].([]any) {
			names = append(names, p.(map[string]any)["name"].(string))
		}
		if !slices.Contains(names, "limit") || !slices.Contains(names, "after") {
			t.Errorf("GET %s parameters = %v, want limit and after", path, names)
		}
		props := op["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)["properties"].(map[string]any)
		if _, ok := props["next"]; !ok {
			t.Errorf("GET %s answers no next cursor", path)
		}
	}
}
