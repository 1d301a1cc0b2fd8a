package glpinet

import "sync"

// Memo keeps what is derived from one verdict, such as its rendered
// responses per language. It lives and dies with the verdict it belongs
// to, so it never needs invalidating. A nil *Memo remembers nothing.
type Memo struct {
	mu    sync.RWMutex
	items []memoItem // a handful at most (one per language): a slice is smaller than a map
}

type memoItem struct {
	key string
	val []byte
}

// Get returns what was remembered under k.
func (m *Memo) Get(k string) ([]byte, bool) {
	if m == nil {
		return nil, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, it := range m.items {
		if it.key == k {
			return it.val, true
		}
	}
	return nil, false
}

// Put remembers b under k.
func (m *Memo) Put(k string, b []byte) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, it := range m.items {
		if it.key == k {
			m.items[i].val = b
			return
		}
	}
	m.items = append(m.items, memoItem{k, b})
}
