package cache

import "sync"

// singleflight makes concurrent loads of the same key share one store
// query: a burst of GLPI instances validating one key after a change must
// not turn into a burst of identical queries.
type singleflight struct {
	mu    sync.Mutex
	calls map[[32]byte]*call
}

type call struct {
	wg  sync.WaitGroup
	val *entry
	err error
}

func (g *singleflight) do(key [32]byte, fn func() (*entry, error)) (*entry, error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[[32]byte]*call{}
	}
	if c, ok := g.calls[key]; ok {
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err
	}
	c := &call{}
	c.wg.Add(1)
	g.calls[key] = c
	g.mu.Unlock()

	c.val, c.err = fn()
	c.wg.Done()
	g.mu.Lock()
	delete(g.calls, key)
	g.mu.Unlock()
	return c.val, c.err
}
