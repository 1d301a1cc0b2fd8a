package glpinet

import "sync"

// Memo keeps what is derived from one verdict, such as its rendered
// responses per language. It lives and dies with the verdict it belongs
// to, so it never needs invalidating. A nil *Memo remembers nothing.
type Memo struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// Get returns what was remembered under k.
func (m *Memo) Get(k string) ([]byte, bool) {
	if m == nil {
		return nil, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.m[k]
	return b, ok
}

// Put remembers b under k.
func (m *Memo) Put(k string, b []byte) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string][]byte{}
	}
	m.m[k] = b
}
