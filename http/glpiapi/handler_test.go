package glpiapi

import "net/http"

// serve mounts h on a mux of its own, as the server core does without its
// middleware.
func serve(h *Handler) http.Handler {
	mux := http.NewServeMux()
	h.Register(func(pattern string, f http.HandlerFunc) { mux.HandleFunc(pattern, f) })
	return mux
}
