package cache

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/quick"
	"time"

	"github.com/glpinet/glpinet"
)

// TestHashSetExact: the set answers exactly for fingerprints (a hash
// shares its answer only with hashes of the same first 8 bytes): every
// hash added is found, through growth, including the one fingerprint
// that cannot be stored as is (0).
func TestHashSetExact(t *testing.T) {
	check := func(added, probed [][32]byte) bool {
		var s hashSet
		want := map[uint64]bool{}
		for _, h := range added {
			s.add(fingerprint(h))
			want[fingerprint(h)] = true
		}
		if s.n != len(want) {
			return false
		}
		for _, h := range added {
			if !s.has(fingerprint(h)) {
				return false // a false negative
			}
		}
		for _, h := range probed {
			if s.has(fingerprint(h)) != want[fingerprint(h)] {
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 200}); err != nil {
		t.Fatal(err)
	}
	// Larger sets, through several growths, with hashes whose first 8
	// bytes are zero, crowd the first slots or the last ones (whose
	// probes wrap around).
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 818, 819, 820, 5000, 100_000} {
		added := make([][32]byte, n)
		for i := range added {
			for j := range 4 {
				binary.LittleEndian.PutUint64(added[i][8*j:], r.Uint64())
			}
			if i >= 600 {
				continue
			}
			switch i % 3 {
			case 0:
				binary.LittleEndian.PutUint64(added[i][:8], uint64(i))
			case 1:
				binary.LittleEndian.PutUint64(added[i][:8], 0)
			case 2:
				binary.LittleEndian.PutUint64(added[i][:8], ^uint64(i))
			}
		}
		probed := make([][32]byte, 12_000)
		for i := range 10_000 {
			binary.LittleEndian.PutUint64(probed[i][:8], r.Uint64())
		}
		for i := range 1000 {
			binary.LittleEndian.PutUint64(probed[10_000+i][:8], uint64(i)) // in the crowds
			binary.LittleEndian.PutUint64(probed[11_000+i][:8], ^uint64(i))
		}
		if !check(added, probed) {
			t.Fatalf("%d hashes: a wrong answer", n)
		}
	}
}

// TestKeySetMemory loads a million hashes, then loads them again (as a
// Reset does, sized by the first count), and reports the heap the set
// holds: 10 to 15 MB, in one allocation the collector does not scan.
func TestKeySetMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a million hashes")
	}
	const n = 1_000_000
	each := func(ctx context.Context, fn func([32]byte) error) error {
		r := rand.New(rand.NewPCG(3, 4))
		var h [32]byte
		for range n {
			binary.LittleEndian.PutUint64(h[:8], r.Uint64())
			if err := fn(h); err != nil {
				return err
			}
		}
		return nil
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var k keyIndex
	for _, load := range []string{"first", "again"} {
		start := time.Now()
		got, size, err := k.load(t.Context(), each, time.Now)
		took := time.Since(start)
		if err != nil || got != n {
			t.Fatalf("load = %d, %v", got, err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		t.Logf("%s load of %d hashes: set of %.1f MB, heap grown by %.1f MB (%.1f bytes a key), from memory in %v",
			load, n, float64(size)/(1<<20), float64(heap)/(1<<20), float64(heap)/n, took)
		if size > 15<<20 || heap > 16<<20 {
			t.Fatalf("a million hashes cost %d bytes of set, %d of heap; want at most 15 MB", size, heap)
		}
	}
	runtime.KeepAlive(&k)
}

// countingStore counts the reads of a ValidatorStore.
type countingStore struct {
	ValidatorStore
	reads atomic.Int64
}

func (c *countingStore) FindKeyRecord(ctx context.Context, h [32]byte) (*glpinet.KeyRecord, error) {
	c.reads.Add(1)
	return c.ValidatorStore.FindKeyRecord(ctx, h)
}

// activeRecord returns the record of a valid key of account id.
func activeRecord(id int64, now time.Time) *glpinet.KeyRecord {
	return &glpinet.KeyRecord{Key: glpinet.RegistrationKey{ID: id, AccountID: id}, Account: glpinet.Account{ID: id, Name: "A", State: glpinet.AccountActive},
		Subscriptions: []*glpinet.Subscription{{OfferRef: "registered", Begin: now.AddDate(-1, 0, 0), State: glpinet.SubscriptionActive}}}
}

// loaded returns setup's validator with its key set loaded.
func loaded(t *testing.T) (*Validator, *fakeStore, *testClock, string) {
	t.Helper()
	v, fs, clock, key := setup(t)
	if err := v.LoadKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	return v, fs, clock, key
}

func wantCode(t *testing.T, v *Validator, key string, want glpinet.ValidationCode) {
	t.Helper()
	if got := validate(t, v, key).Code; got != want {
		t.Fatalf("%s… validates %s, want %s", key[:12], got, want)
	}
}

// wantBusy checks that key, missing from the set with no re-check budget
// left, gets ErrRecheckBudget: never UNKNOWN, which GLPI would keep for a
// day although the key may just not be announced yet.
func wantBusy(t *testing.T, v *Validator, key string) {
	t.Helper()
	if got, err := v.Validate(t.Context(), key); err != ErrRecheckBudget {
		t.Fatalf("%s… validates %s, %v; want ErrRecheckBudget", key[:12], got.Code, err)
	}
}

// wantAbsent checks that key is answered as absent: UNKNOWN, or
// ErrRecheckBudget once the budget is spent.
func wantAbsent(t *testing.T, v *Validator, key string) {
	t.Helper()
	got, err := v.Validate(t.Context(), key)
	if err != ErrRecheckBudget && (err != nil || got.Code != glpinet.ValidationUnknown) {
		t.Fatalf("%s… validates %s, %v; want UNKNOWN or ErrRecheckBudget", key[:12], got.Code, err)
	}
}

// exhaust spends the whole re-check budget on unknown keys.
func exhaust(t *testing.T, v *Validator) {
	t.Helper()
	for v.Rechecks.TokensAt(v.now()) >= 1 {
		k, _ := glpinet.GenerateKey()
		wantCode(t, v, k, glpinet.ValidationUnknown)
	}
}

func announce(v *Validator, h [32]byte) {
	v.Apply(glpinet.Change{Topic: glpinet.TopicKey, Subject: hex.EncodeToString(h[:])})
}

// TestUnknownKeysFromMemory: a flood of distinct well-formed unknown keys
// costs at most the re-check budget in store reads, with the in-memory
// fake and with SQLite; known keys still validate.
func TestUnknownKeysFromMemory(t *testing.T) {
	flood := unknownKeys(t, 10_000)
	for _, tc := range []struct {
		name string
		open func(t *testing.T) (*Validator, *countingStore, *testClock, string)
	}{
		{"fake", func(t *testing.T) (*Validator, *countingStore, *testClock, string) {
			_, fs, clock, key := setup(t)
			cs := &countingStore{ValidatorStore: fs}
			return NewValidator(cs, clock.Now, nil), cs, clock, key
		}},
		{"sqlite", func(t *testing.T) (*Validator, *countingStore, *testClock, string) {
			v, clock := sqliteValidator(t, 100)
			cs := &countingStore{ValidatorStore: v.store}
			return NewValidator(cs, clock.Now, nil), cs, clock, "gnk_seed_0"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, cs, _, key := tc.open(t)
			if err := v.LoadKeys(t.Context()); err != nil {
				t.Fatal(err)
			}
			for _, k := range flood {
				wantAbsent(t, v, k)
			}
			if n, budget := cs.reads.Load(), int64(v.Rechecks.Burst()); n > budget {
				t.Fatalf("%d store reads for %d unknown keys, budget %d", n, len(flood), budget)
			}
			if tc.name == "fake" {
				wantCode(t, v, key, glpinet.ValidationValid)
			} else {
				// The seeded hashes are of strings that are not keys: ask
				// the set rather than Validate.
				if known, current := v.keys.has(glpinet.HashKey(key)); !known || !current {
					t.Fatalf("a stored key: known %v, current %v", known, current)
				}
			}
		})
	}
}

// TestNewKeyAnnounced: a key created after the load and announced by the
// change feed validates, even with no re-check budget left.
func TestNewKeyAnnounced(t *testing.T) {
	v, fs, clock, _ := loaded(t)
	exhaust(t, v)
	key, _ := glpinet.GenerateKey()
	h := fs.put(key, activeRecord(2, clock.t))
	announce(v, h)
	wantCode(t, v, key, glpinet.ValidationValid)
}

// TestNewKeyNotYetAnnounced: a key another process just created, whose
// change has not arrived, is found by a re-check, and joins the set; past
// the budget, a key never announced is unknown until the set is read
// again.
func TestNewKeyNotYetAnnounced(t *testing.T) {
	v, fs, clock, _ := loaded(t)
	key, _ := glpinet.GenerateKey()
	h := fs.put(key, activeRecord(2, clock.t))
	reads := fs.reads.Load()
	wantCode(t, v, key, glpinet.ValidationValid)
	if n := fs.reads.Load() - reads; n != 1 {
		t.Fatalf("%d reads for a key missing from the set, want 1", n)
	}
	if known, _ := v.keys.has(h); !known {
		t.Fatal("a key found by a re-check did not join the set")
	}
	// Its entry expired, no budget left: the set answers.
	clock.t = clock.t.Add(v.Fresh)
	exhaust(t, v)
	wantCode(t, v, key, glpinet.ValidationValid)

	// Never announced, no budget: not answered (ErrRecheckBudget) until
	// the set is read again.
	other, _ := glpinet.GenerateKey()
	fs.put(other, activeRecord(3, clock.t))
	wantBusy(t, v, other)
	clock.t = clock.t.Add(v.KeysMaxAge)
	exhaust(t, v)
	if err := v.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	wantCode(t, v, other, glpinet.ValidationValid)
}

// TestResetReadsUntilReloaded: after a Reset the set may have missed
// keys, so every miss reads the store until Settle has read the set again.
func TestResetReadsUntilReloaded(t *testing.T) {
	v, fs, clock, _ := loaded(t)
	exhaust(t, v)
	v.Reset()
	missed, _ := glpinet.GenerateKey()
	fs.put(missed, activeRecord(2, clock.t)) // its change was in the gap
	reads := fs.reads.Load()
	for _, k := range unknownKeys(t, 100) {
		wantCode(t, v, k, glpinet.ValidationUnknown)
	}
	if n := fs.reads.Load() - reads; n != 100 {
		t.Fatalf("%d reads for 100 unknown keys after a Reset, want 100", n)
	}
	if err := v.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	reads = fs.reads.Load()
	for _, k := range unknownKeys(t, 100) {
		wantBusy(t, v, k)
	}
	if n := fs.reads.Load() - reads; n != 0 {
		t.Fatalf("%d reads for 100 unknown keys once reloaded, want 0", n)
	}
	wantCode(t, v, missed, glpinet.ValidationValid)
	// An offer change does not make the set behind.
	v.Apply(glpinet.Change{Topic: glpinet.TopicOffers, Subject: "basic"})
	if _, current := v.keys.has(glpinet.HashKey(missed)); !current {
		t.Fatal("an offer change made the key set behind")
	}
}

// blockingEach is a store whose EachKeyHash waits, before reading, until
// released, to interleave changes with a load.
type blockingEach struct {
	*fakeStore
	reading, release chan struct{}
}

func (b *blockingEach) EachKeyHash(ctx context.Context, fn func([32]byte) error) error {
	b.reading <- struct{}{}
	<-b.release
	return b.fakeStore.EachKeyHash(ctx, fn)
}

// TestChangesDuringLoad: a key announced while the set is read is kept
// (it may be missing from the snapshot), and a Reset while the set is
// read leaves it behind: the snapshot may predate what was missed.
func TestChangesDuringLoad(t *testing.T) {
	_, fs, clock, _ := setup(t)
	bs := &blockingEach{fakeStore: fs, reading: make(chan struct{}), release: make(chan struct{})}
	v := NewValidator(bs, clock.Now, nil)
	done := make(chan error)
	go func() { done <- v.LoadKeys(context.Background()) }()
	<-bs.reading
	if _, current := v.keys.has([32]byte{}); current {
		t.Fatal("the set is current before its first load completed")
	}
	announced := glpinet.HashKey("gnk_announced") // not in the store's snapshot
	announce(v, announced)
	v.Reset()
	close(bs.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	known, current := v.keys.has(announced)
	if !known {
		t.Fatal("a key announced during the load was lost")
	}
	if current {
		t.Fatal("the set is current after a load that a Reset overlapped")
	}
	go func() {
		for range bs.reading {
		}
	}()
	if err := v.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	close(bs.reading)
	if _, current := v.keys.has(announced); !current {
		t.Fatal("the set is still behind after a load following the Reset")
	}
}

// TestLoadFails: a failing first load leaves the validator reading the
// store for every key, and Settle tries again.
func TestLoadFails(t *testing.T) {
	v, fs, _, key := setup(t)
	fs.fail.Store(true)
	if err := v.LoadKeys(t.Context()); err == nil {
		t.Fatal("LoadKeys succeeded on a failing store")
	}
	fs.fail.Store(false)
	reads := fs.reads.Load()
	for _, k := range unknownKeys(t, 100) {
		wantCode(t, v, k, glpinet.ValidationUnknown)
	}
	if n := fs.reads.Load() - reads; n != 100 {
		t.Fatalf("%d reads for 100 unknown keys without a set, want 100", n)
	}
	if err := v.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, current := v.keys.has(glpinet.HashKey(key)); !current {
		t.Fatal("Settle did not load the set again")
	}
}

// TestNoFalseNegative: every key of the store validates, whatever the
// budget left, once the set is loaded or the key announced.
func TestNoFalseNegative(t *testing.T) {
	v, fs, clock, _ := setup(t)
	var keys []string
	for i := range 2000 {
		k, _ := glpinet.GenerateKey()
		fs.put(k, activeRecord(int64(10+i), clock.t))
		keys = append(keys, k)
	}
	if err := v.LoadKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		k, _ := glpinet.GenerateKey()
		announce(v, fs.put(k, activeRecord(int64(5000+i), clock.t)))
		keys = append(keys, k)
	}
	exhaust(t, v)
	for _, k := range keys {
		wantCode(t, v, k, glpinet.ValidationValid)
	}
}

// TestValidateConcurrently runs validations, changes, Resets and loads at
// once, for the race detector.
func TestValidateConcurrently(t *testing.T) {
	v, fs, clock, key := loaded(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, k := range unknownKeys(t, 300) {
				if _, err := v.Validate(ctx, k); err != nil && err != ErrRecheckBudget {
					t.Error(err)
					return
				}
			}
			if got := validate(t, v, key).Code; got != glpinet.ValidationValid {
				t.Errorf("a known key validates %s", got)
			}
		})
	}
	wg.Go(func() {
		for i := range 100 {
			k, _ := glpinet.GenerateKey()
			announce(v, fs.put(k, activeRecord(int64(100+i), clock.t)))
			if i%20 == 0 {
				v.Reset()
			}
		}
	})
	wg.Go(func() {
		for range 5 {
			if err := v.LoadKeys(ctx); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
}

// BenchmarkHashSetMiss is the lookup of an absent hash in a set of a
// million, the cost a flood of unknown keys pays beyond parsing and
// hashing the key.
func BenchmarkHashSetMiss(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	var s hashSet
	for range 1_000_000 {
		s.add(r.Uint64() | 1)
	}
	probes := make([]uint64, 1<<16)
	for i := range probes {
		probes[i] = r.Uint64() &^ 1 // even: never added
	}
	i := 0
	for b.Loop() {
		if s.has(probes[i%len(probes)]) {
			b.Fatal("found an absent fingerprint")
		}
		i++
	}
}

// countingEach counts the reads of the whole key set.
type countingEach struct {
	*fakeStore
	loads atomic.Int64
}

func (c *countingEach) EachKeyHash(ctx context.Context, fn func([32]byte) error) error {
	c.loads.Add(1)
	return c.fakeStore.EachKeyHash(ctx, fn)
}

func announceBulk(v *Validator, n int) {
	v.Apply(glpinet.Change{Topic: glpinet.TopicKeys, Subject: strconv.Itoa(n)})
}

// TestBulkImportReloads: keys stored in bulk, announced by one change per
// batch, validate once Settle has read the set again, however little
// budget is left; a burst of batches costs one read of the set, and the
// set stays trusted until it (misses keep their budget).
func TestBulkImportReloads(t *testing.T) {
	_, fs, clock, _ := setup(t)
	cs := &countingEach{fakeStore: fs}
	v := NewValidator(cs, clock.Now, nil)
	if err := v.LoadKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	exhaust(t, v)
	var bulk []string
	for batch := range 3 {
		for i := range 10 {
			k, _ := glpinet.GenerateKey()
			fs.put(k, activeRecord(int64(100+10*batch+i), clock.t))
			bulk = append(bulk, k)
		}
		announceBulk(v, 10)
	}
	reads := fs.reads.Load()
	for _, k := range unknownKeys(t, 100) {
		wantBusy(t, v, k)
	}
	if n := fs.reads.Load() - reads; n != 0 {
		t.Fatalf("%d store reads for 100 unknown keys after bulk imports, want 0: the set must stay trusted", n)
	}
	// Not read again yet, no budget: the new keys are not answered yet.
	wantBusy(t, v, bulk[0])
	if err := v.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := cs.loads.Load(); n != 2 {
		t.Fatalf("%d reads of the key set (the load, then after 3 imports), want 2", n)
	}
	for _, k := range bulk {
		wantCode(t, v, k, glpinet.ValidationValid)
	}
	if err := v.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := cs.loads.Load(); n != 2 {
		t.Fatalf("%d reads of the key set after a Settle with nothing new, want 2", n)
	}
}

// TestBulkImportDropsNegative: a key found unknown by a store read just
// before it was imported is not kept unknown by its negative entry.
func TestBulkImportDropsNegative(t *testing.T) {
	v, fs, clock, _ := loaded(t)
	key, _ := glpinet.GenerateKey()
	wantCode(t, v, key, glpinet.ValidationUnknown) // re-checked: a negative entry
	fs.put(key, activeRecord(2, clock.t))
	announceBulk(v, 1)
	if err := v.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	exhaust(t, v)
	wantCode(t, v, key, glpinet.ValidationValid)
}

// snapshotEach is a store whose EachKeyHash reads its snapshot, then
// waits until released before handing it over, to announce an import that
// the snapshot missed while the set is read.
type snapshotEach struct {
	*fakeStore
	reading, release chan struct{}
}

func (s *snapshotEach) EachKeyHash(ctx context.Context, fn func([32]byte) error) error {
	var hashes [][32]byte
	if err := s.fakeStore.EachKeyHash(ctx, func(h [32]byte) error {
		hashes = append(hashes, h)
		return nil
	}); err != nil {
		return err
	}
	s.reading <- struct{}{}
	<-s.release
	for _, h := range hashes {
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// TestBulkImportDuringLoad: an import announced while the set is read may
// be missing from the snapshot: the set is read again at the next Settle.
func TestBulkImportDuringLoad(t *testing.T) {
	_, fs, clock, _ := setup(t)
	ss := &snapshotEach{fakeStore: fs, reading: make(chan struct{}), release: make(chan struct{})}
	v := NewValidator(ss, clock.Now, nil)
	done := make(chan error)
	go func() { done <- v.LoadKeys(context.Background()) }()
	<-ss.reading // the snapshot is taken
	key, _ := glpinet.GenerateKey()
	fs.put(key, activeRecord(2, clock.t))
	announceBulk(v, 1)
	close(ss.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	exhaust(t, v)
	wantBusy(t, v, key)
	go func() {
		for range ss.reading {
		}
	}()
	if err := v.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	close(ss.reading)
	wantCode(t, v, key, glpinet.ValidationValid)
}

// TestWithoutRechecks: a client that spent its own budget gets no store
// read and spends none of the shared budget; keys in memory still
// validate for it.
func TestWithoutRechecks(t *testing.T) {
	v, fs, _, key := loaded(t)
	ctx := glpinet.WithoutRechecks(t.Context())
	reads, tokens := fs.reads.Load(), v.Rechecks.TokensAt(v.now())
	for _, k := range unknownKeys(t, 100) {
		if _, err := v.Validate(ctx, k); err != ErrRecheckBudget {
			t.Fatalf("unknown key without re-checks: %v, want ErrRecheckBudget", err)
		}
	}
	if n := fs.reads.Load() - reads; n != 0 {
		t.Errorf("%d store reads without re-checks, want 0", n)
	}
	if got := v.Rechecks.TokensAt(v.now()); got < tokens {
		t.Errorf("shared budget went from %v to %v", tokens, got)
	}
	if got, err := v.Validate(ctx, key); err != nil || got.Code != glpinet.ValidationValid {
		t.Errorf("a known key without re-checks: %v %v", got.Code, err)
	}
}
