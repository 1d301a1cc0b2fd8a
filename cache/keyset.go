package cache

import (
	"context"
	"encoding/binary"
	"math/bits"
	"sync"
	"time"
)

// hashSet is a set of 64-bit fingerprints of key hashes (the first 8 bytes
// of the SHA-256) in one open-addressing table with linear probing. Its
// only memory is a []uint64: the garbage collector never scans it. The
// table is between 53% and 80% full (it grows by half when 80% full, and a
// reload sizes it 70% full), so a million keys cost 10 to 15 MB. Two keys
// may share a fingerprint, so a hit means "maybe known"; a miss means
// "certainly not in the set".
//
// A hashSet is not safe for concurrent use.
type hashSet struct {
	slots []uint64 // 0 is an empty slot
	n     int
}

// fingerprint returns the set's form of a key hash. SHA-256 output is
// uniform, so its first bytes are already a good table index. 0 marks an
// empty slot: the hash whose first 8 bytes are zero shares fingerprint 1
// (a false positive at worst, never a false negative).
func fingerprint(h [32]byte) uint64 {
	if x := binary.LittleEndian.Uint64(h[:8]); x != 0 {
		return x
	}
	return 1
}

// newHashSet returns a set sized to hold n fingerprints 70% full.
func newHashSet(n int) hashSet {
	return hashSet{slots: make([]uint64, max(1024, n/7*10))}
}

// home returns the slot where the probe for x starts: x scaled to the
// table's length (uniform for uniform x, whatever the length).
func (s *hashSet) home(x uint64) int {
	hi, _ := bits.Mul64(x, uint64(len(s.slots)))
	return int(hi)
}

// has reports whether fingerprint x was added.
func (s *hashSet) has(x uint64) bool {
	if len(s.slots) == 0 {
		return false
	}
	for i := s.home(x); ; {
		switch s.slots[i] {
		case x:
			return true
		case 0:
			return false
		}
		if i++; i == len(s.slots) {
			i = 0
		}
	}
}

// add adds fingerprint x.
func (s *hashSet) add(x uint64) {
	if (s.n+1)*5 > len(s.slots)*4 {
		s.grow()
	}
	for i := s.home(x); ; {
		switch s.slots[i] {
		case x:
			return
		case 0:
			s.slots[i] = x
			s.n++
			return
		}
		if i++; i == len(s.slots) {
			i = 0
		}
	}
}

func (s *hashSet) grow() {
	bigger := hashSet{slots: make([]uint64, max(1024, len(s.slots)/2*3))}
	for _, x := range s.slots {
		if x != 0 {
			bigger.add(x)
		}
	}
	*s = bigger
}

// bytes returns the memory the set holds.
func (s *hashSet) bytes() int { return 8 * len(s.slots) }

// keyIndex is the validator's set of every key hash in the store, and
// whether it can be trusted to be complete.
type keyIndex struct {
	// loading serialises loads.
	loading sync.Mutex

	mu  sync.RWMutex
	set hashSet
	// enabled is set by the first load: before it, the index answers
	// nothing and the validator reads the store for every miss.
	enabled bool
	// behind is true while changes may have been missed: until a load
	// that started after the last Reset completes.
	behind bool
	// stale is true while keys stored without a change of their own (a
	// bulk import, announced by one change for the batch) may be missing
	// from the set: it is read again at the next Settle, but its answers
	// stay trusted meanwhile, since every other key is still announced
	// (a key of the batch found by a re-check joins the set as usual).
	stale bool
	// resets and stales count Resets and staleness marks, so that a load
	// knows whether one happened while it read.
	resets, stales uint64
	// pending is non-nil while a load reads: hashes added meanwhile are
	// kept there too, and added to the new set when it replaces the old.
	pending  []uint64
	loadedAt time.Time
}

// has reports whether h may be a key of the store (false positives are
// possible), and whether a negative answer can be trusted: the index is
// loaded and has missed no change.
func (k *keyIndex) has(h [32]byte) (found, current bool) {
	x := fingerprint(h)
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.set.has(x), k.enabled && !k.behind
}

// add records h as a key of the store.
func (k *keyIndex) add(h [32]byte) {
	x := fingerprint(h)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.set.add(x)
	if k.pending != nil {
		k.pending = append(k.pending, x)
	}
}

// reset marks the index as behind the store until the next load
// completes.
func (k *keyIndex) reset() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.resets++
	k.behind = true
}

// markStale records that keys were stored without being announced one by
// one: the index should be loaded again, though it stays current.
func (k *keyIndex) markStale() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stales++
	k.stale = true
}

// due reports whether the index should be loaded again: it is enabled and
// behind or stale (catchUp), or was loaded maxAge ago or more.
func (k *keyIndex) due(now time.Time, maxAge time.Duration) (due, catchUp bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if !k.enabled {
		return false, false
	}
	catchUp = k.behind || k.stale
	return catchUp || maxAge > 0 && now.Sub(k.loadedAt) >= maxAge, catchUp
}

// load replaces the set with the hashes each streams, and enables the
// index. The old set keeps answering while the new one is read; hashes
// added meanwhile go to both. The index is current afterwards unless a
// reset happened during the read (the snapshot may predate what it was
// about): it then stays behind, and the next load catches up; so with a
// staleness mark during the read. On error, the old set stays.
func (k *keyIndex) load(ctx context.Context, each func(ctx context.Context, fn func([32]byte) error) error, now func() time.Time) (n, bytes int, err error) {
	k.loading.Lock()
	defer k.loading.Unlock()
	k.mu.Lock()
	resets, stales := k.resets, k.stales
	set := newHashSet(k.set.n)
	k.pending = make([]uint64, 0, 16)
	if !k.enabled {
		// Until this first load completes, misses read the store.
		k.enabled, k.behind = true, true
	}
	k.mu.Unlock()

	err = each(ctx, func(h [32]byte) error {
		set.add(fingerprint(h))
		return nil
	})

	k.mu.Lock()
	defer k.mu.Unlock()
	pending := k.pending
	k.pending = nil
	if err != nil {
		return 0, 0, err
	}
	for _, x := range pending {
		set.add(x)
	}
	k.set = set
	k.loadedAt = now()
	if k.resets == resets {
		k.behind = false
	}
	if k.stales == stales {
		k.stale = false
	}
	return set.n, set.bytes(), nil
}
