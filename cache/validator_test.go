package cache

import (
	"context"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glpinet/glpinet"
)

// fakeStore is an in-memory ValidatorStore that counts reads and can fail.
type fakeStore struct {
	mu    sync.RWMutex // guards recs (the map, not the records)
	recs  map[[32]byte]*glpinet.KeyRecord
	reads atomic.Int64
	fail  atomic.Bool
}

func (f *fakeStore) FindKeyRecord(ctx context.Context, h [32]byte) (*glpinet.KeyRecord, error) {
	f.reads.Add(1)
	if f.fail.Load() {
		return nil, errors.New("database unreachable")
	}
	f.mu.RLock()
	r := f.recs[h]
	f.mu.RUnlock()
	if r != nil {
		return r, nil
	}
	return nil, glpinet.Errorf(glpinet.ENOTFOUND, "Unknown key.")
}

func (f *fakeStore) EachKeyHash(ctx context.Context, fn func([32]byte) error) error {
	if f.fail.Load() {
		return errors.New("database unreachable")
	}
	f.mu.RLock()
	hashes := make([][32]byte, 0, len(f.recs))
	for h := range f.recs {
		hashes = append(hashes, h)
	}
	f.mu.RUnlock()
	for _, h := range hashes {
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// put stores a record under the hash of key, as another process would:
// nothing tells the validator.
func (f *fakeStore) put(key string, rec *glpinet.KeyRecord) [32]byte {
	h := glpinet.HashKey(key)
	f.mu.Lock()
	f.recs[h] = rec
	f.mu.Unlock()
	return h
}

func (f *fakeStore) ListOffers(ctx context.Context) ([]*glpinet.Offer, error) {
	if f.fail.Load() {
		return nil, errors.New("database unreachable")
	}
	return glpinet.DefaultOffers(), nil
}

type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

func setup(t *testing.T) (*Validator, *fakeStore, *testClock, string) {
	key, _ := glpinet.GenerateKey()
	clock := &testClock{t: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	rec := &glpinet.KeyRecord{Key: glpinet.RegistrationKey{ID: 1, AccountID: 7}, Account: glpinet.Account{ID: 7, Name: "A", State: glpinet.AccountActive},
		Subscriptions: []*glpinet.Subscription{{OfferRef: "registered", Begin: clock.t.AddDate(-1, 0, 0), State: glpinet.SubscriptionActive}}}
	fs := &fakeStore{recs: map[[32]byte]*glpinet.KeyRecord{glpinet.HashKey(key): rec}}
	return NewValidator(fs, clock.Now, nil), fs, clock, key
}

func validate(t *testing.T, v *Validator, key string) glpinet.Validation {
	t.Helper()
	val, err := v.Validate(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return val
}

func TestValidatorCaches(t *testing.T) {
	v, fs, clock, key := setup(t)
	for range 100 {
		if got := validate(t, v, key).Code; got != glpinet.ValidationValid {
			t.Fatalf("code = %s", got)
		}
	}
	if n := fs.reads.Load(); n != 1 {
		t.Fatalf("%d store reads for 100 validations of one key, want 1", n)
	}
	// Malformed keys never reach the store.
	if got := validate(t, v, key[:20]).Code; got != glpinet.ValidationMalformed || fs.reads.Load() != 1 {
		t.Fatalf("malformed key: %s after %d reads", got, fs.reads.Load())
	}
	// Unknown keys are cached too, for a shorter time.
	other, _ := glpinet.GenerateKey()
	validate(t, v, other)
	validate(t, v, other)
	if n := fs.reads.Load(); n != 2 {
		t.Fatalf("%d reads after an unknown key twice, want 2", n)
	}
	clock.t = clock.t.Add(v.Negative)
	validate(t, v, other)
	if n := fs.reads.Load(); n != 3 {
		t.Fatalf("%d reads after the negative entry expired, want 3", n)
	}
	// Past Fresh, an entry is read again.
	clock.t = clock.t.Add(v.Fresh)
	validate(t, v, key)
	if n := fs.reads.Load(); n != 4 {
		t.Fatalf("%d reads after the fresh window, want 4", n)
	}
}

func TestValidatorFollowsChanges(t *testing.T) {
	v, fs, clock, key := setup(t)
	validate(t, v, key)
	h := glpinet.HashKey(key)
	revoked := clock.t
	fs.recs[h].Key.RevokedAt = &revoked
	if got := validate(t, v, key).Code; got != glpinet.ValidationValid {
		t.Fatalf("before the change notice: %s (the cache should still answer)", got)
	}
	v.Apply(glpinet.Change{Topic: glpinet.TopicKey, Subject: hex.EncodeToString(h[:])})
	if got := validate(t, v, key).Code; got != glpinet.ValidationRevoked {
		t.Fatalf("after a key change notice: %s, want REVOKED", got)
	}
	// An account change drops every key of the account.
	fs.recs[h].Key.RevokedAt = nil
	fs.recs[h].Account.State = glpinet.AccountSuspended
	v.Apply(glpinet.Change{Topic: glpinet.TopicAccount, Subject: strconv.Itoa(7)})
	if got := validate(t, v, key).Code; got != glpinet.ValidationAccountSuspended {
		t.Fatalf("after an account change notice: %s, want ACCOUNT_SUSPENDED", got)
	}
}

func TestValidatorOutage(t *testing.T) {
	v, fs, clock, key := setup(t)
	validate(t, v, key)
	fs.fail.Store(true)
	clock.t = clock.t.Add(v.Fresh + time.Second)
	// A key seen recently keeps validating while the store is down…
	if got := validate(t, v, key).Code; got != glpinet.ValidationValid {
		t.Fatalf("during the outage: %s", got)
	}
	// …but an unseen key gets an error, never a verdict.
	other, _ := glpinet.GenerateKey()
	if _, err := v.Validate(t.Context(), other); err == nil {
		t.Fatal("an unseen key got a verdict while the store was down")
	}
	// Past the stale window, even a known key gets an error.
	clock.t = clock.t.Add(v.Stale)
	if _, err := v.Validate(t.Context(), key); err == nil {
		t.Fatal("a day-old entry was served")
	}
}

func TestValidatorSweepAndBound(t *testing.T) {
	v, _, clock, key := setup(t)
	v.MaxEntries = 10
	for range 25 {
		k, _ := glpinet.GenerateKey()
		validate(t, v, k)
	}
	if n := v.Len(); n > 10 {
		t.Fatalf("%d entries, bound is 10", n)
	}
	validate(t, v, key)
	clock.t = clock.t.Add(v.Stale + time.Minute)
	v.Settle(t.Context())
	if n := v.Len(); n != 0 {
		t.Fatalf("%d entries after the sweep, want 0", n)
	}
}

func TestValidatorTimeAlone(t *testing.T) {
	// A subscription ending changes the verdict without any change notice.
	v, fs, clock, key := setup(t)
	end := clock.t.Add(time.Hour)
	rec := fs.recs[glpinet.HashKey(key)]
	rec.Subscriptions = append(rec.Subscriptions, &glpinet.Subscription{OfferRef: "advanced", Begin: clock.t.Add(-time.Hour), End: &end, State: glpinet.SubscriptionActive})
	if got := validate(t, v, key).Offer.Reference; got != "advanced" {
		t.Fatalf("offer = %s", got)
	}
	clock.t = end
	if got := validate(t, v, key).Offer.Reference; got != "registered" {
		t.Fatalf("after the end: offer = %s, want registered", got)
	}
}

func BenchmarkValidateCached(b *testing.B) {
	v, _, _, key := setup(&testing.T{})
	v.Validate(context.Background(), key)
	for b.Loop() {
		v.Validate(context.Background(), key)
	}
}

// blockingStore pauses FindKeyRecord until released, to interleave an
// invalidation with a load.
type blockingStore struct {
	*fakeStore
	reading chan struct{}
	release chan struct{}
}

func (b *blockingStore) FindKeyRecord(ctx context.Context, h [32]byte) (*glpinet.KeyRecord, error) {
	rec, err := b.fakeStore.FindKeyRecord(ctx, h)
	if rec != nil {
		copied := *rec
		rec = &copied
	}
	b.reading <- struct{}{}
	<-b.release
	return rec, err
}

// TestValidatorLoadRacesRevocation: a revocation applied while a load is
// reading must not leave the pre-revocation record in the cache.
func TestValidatorLoadRacesRevocation(t *testing.T) {
	_, fs, clock, key := setup(t)
	bs := &blockingStore{fakeStore: fs, reading: make(chan struct{}), release: make(chan struct{})}
	v := NewValidator(bs, clock.Now, nil)
	done := make(chan glpinet.ValidationCode)
	go func() {
		val, _ := v.Validate(context.Background(), key)
		done <- val.Code
	}()
	<-bs.reading // the load has read the record, not yet cached it
	h := glpinet.HashKey(key)
	revoked := clock.t
	fs.recs[h].Key.RevokedAt = &revoked
	v.Apply(glpinet.Change{Topic: glpinet.TopicKey, Subject: hex.EncodeToString(h[:])})
	close(bs.release)
	<-done
	go func() {
		for range bs.reading {
		}
	}()
	if got := validate(t, v, key).Code; got != glpinet.ValidationRevoked {
		t.Fatalf("after the racing revocation: %s, want REVOKED", got)
	}
}

// TestResetKeepsStaleFallback: after a Reset (a reconnection of the change
// listener, an offer change) every entry is read again before it is
// trusted, but stays the answer of last resort if the store fails.
func TestResetKeepsStaleFallback(t *testing.T) {
	v, fs, clock, key := setup(t)
	validate(t, v, key)
	v.Reset()
	validate(t, v, key)
	if n := fs.reads.Load(); n != 2 {
		t.Fatalf("%d store reads, want 2: a Reset must make the entry stale", n)
	}
	validate(t, v, key)
	if n := fs.reads.Load(); n != 2 {
		t.Fatalf("%d store reads, want 2: the entry read after the Reset is fresh", n)
	}
	v.Reset()
	fs.fail.Store(true)
	clock.t = clock.t.Add(10 * time.Minute)
	if got := validate(t, v, key).Code; got != glpinet.ValidationValid {
		t.Fatalf("store failing after a Reset: %s, want the cached VALID", got)
	}
}

// blockingOffers is a store whose ListOffers waits until released, to
// interleave an offer change with a read of the offers.
type blockingOffers struct {
	*fakeStore
	entered, release chan struct{}
	calls            atomic.Int64
}

func (b *blockingOffers) ListOffers(ctx context.Context) ([]*glpinet.Offer, error) {
	if b.calls.Add(1) == 1 {
		close(b.entered)
		<-b.release
	}
	return b.fakeStore.ListOffers(ctx)
}

// TestOffersChangeDuringRead: offers read before an offer change committed
// are used for the request that read them, never kept for the next ones.
func TestOffersChangeDuringRead(t *testing.T) {
	_, fs, clock, key := setup(t)
	bs := &blockingOffers{fakeStore: fs, entered: make(chan struct{}), release: make(chan struct{})}
	v := NewValidator(bs, clock.Now, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		v.Validate(context.Background(), key)
	}()
	<-bs.entered
	v.Apply(glpinet.Change{Topic: glpinet.TopicOffers})
	close(bs.release)
	<-done
	validate(t, v, key)
	if n := bs.calls.Load(); n != 2 {
		t.Fatalf("ListOffers called %d times, want 2: offers read across a change were kept", n)
	}
}

// unknownKeys returns n distinct well-formed keys that no store holds.
func unknownKeys(tb testing.TB, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		k, err := glpinet.GenerateKey()
		if err != nil {
			tb.Fatal(err)
		}
		keys[i] = k
	}
	return keys
}

// BenchmarkValidateUnknown measures a flood of distinct well-formed keys
// that no store holds (the checksum is public: it keeps nothing out),
// against the in-memory fake (the validator's own cost) and against
// SQLite holding 10,000 keys (what a flood costs a server), the key set
// loaded.
func BenchmarkValidateUnknown(b *testing.B) {
	keys := unknownKeys(b, 1<<17)
	run := func(b *testing.B, v *Validator, clock *testClock) {
		ctx := context.Background()
		if err := v.LoadKeys(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i%len(keys) == 0 {
				// A new round: the negative entries of the last one expire.
				clock.t = clock.t.Add(v.Negative)
			}
			// Past the re-check budget (the first 50 keys), a flood is
			// answered ErrRecheckBudget from memory: what it costs.
			val, err := v.Validate(ctx, keys[i%len(keys)])
			if err != ErrRecheckBudget && (err != nil || val.Code != glpinet.ValidationUnknown) {
				b.Fatalf("Validate = %v, %v", val.Code, err)
			}
			i++
		}
	}
	b.Run("fake", func(b *testing.B) {
		v, _, clock, _ := setup(&testing.T{})
		v.log = slog.New(slog.DiscardHandler)
		run(b, v, clock)
	})
	b.Run("sqlite", func(b *testing.B) {
		v, clock := sqliteValidator(b, 10_000)
		v.log = slog.New(slog.DiscardHandler)
		run(b, v, clock)
	})
}
