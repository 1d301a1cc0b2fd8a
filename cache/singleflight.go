package cache

import (
	"fmt"
	"log/slog"
	"runtime/debug"

	"golang.org/x/sync/singleflight"
)

// loadGroup makes concurrent loads of the same key share one store query:
// a burst of GLPI instances validating one key after a change must not
// turn into a burst of identical queries.
//
// A load that panics becomes an error for every caller sharing it
// (singleflight itself would re-panic in each of them and crash the
// server), and the key is free for the next load.
type loadGroup struct {
	g singleflight.Group
}

// do runs fn once for all concurrent callers of key and returns its result
// to each. A panic in fn is logged with its stack on log and returned as
// an error.
func (l *loadGroup) do(key [32]byte, log *slog.Logger, fn func() (*entry, error)) (*entry, error) {
	v, err, _ := l.g.Do(string(key[:]), func() (v any, err error) {
		defer func() {
			if p := recover(); p != nil {
				log.Error("a key load panicked", "panic", p, "stack", string(debug.Stack()))
				v, err = nil, fmt.Errorf("key load panicked: %v", p)
			}
		}()
		return fn()
	})
	e, _ := v.(*entry)
	return e, err
}
