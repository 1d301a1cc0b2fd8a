package cache

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
	"golang.org/x/time/rate"
)

// ValidatorStore is what the validator reads.
type ValidatorStore interface {
	FindKeyRecord(ctx context.Context, hash [32]byte) (*glpinet.KeyRecord, error)
	ListOffers(ctx context.Context) ([]*glpinet.Offer, error)
	EachKeyHash(ctx context.Context, fn func(hash [32]byte) error) error
}

// Validator is a glpinet.Validator with an in-memory cache keyed by the
// SHA-256 of the key. Entries are dropped when the change feed reports a
// change to their key or account, and re-read after Fresh in any case (a
// safety net for a missed change). When the store fails, an entry up to
// Stale old is still served, so that instances keep working through a
// database outage; without one, Validate returns the error (the GLPI API
// then answers 5xx, never "invalid").
//
// Memory follows the keys seen within Stale (an hour by default: GLPI
// checks a key about once a day, so a fleet of a million instances keeps
// some 40,000 entries), bounded by MaxEntries.
//
// Unknown keys are answered from memory. The key checksum is public, so a
// flood of well-formed random keys would otherwise cost a database read
// each. Once LoadKeys has run, the validator holds the set of every key
// hash in the store (revoked and rotated keys included: only a hash the
// store has never held is UNKNOWN), 10 to 15 bytes a key in one
// pointer-free table, kept current by the change feed (Apply adds the
// hash of every key change, and a bulk import's one change for its batch
// has the set read again at the next Settle). A hash absent from the set
// is UNKNOWN without a store read.
//
// The trade-off: the set lags the database by the time a change takes to
// arrive (a few milliseconds with PostgreSQL's LISTEN, up to the poll
// interval with SQLite), and a key created meanwhile by another process
// (the portal of another replica, the glpinetd key CLI) may already be
// presented, while GLPI keeps an "invalid" answer for a day. So a miss is
// still re-checked in the store, within a budget shared by all keys
// (Rechecks: 20 a second, bursts of 50 by default; concurrent re-checks of
// one key share one read): a key found so joins the set. A flood thus
// costs at most the budget in reads, and a key announced late is found as
// long as the flood leaves budget, and in any case once its change
// arrives.
//
// Past the budget a miss is not answered UNKNOWN but ErrRecheckBudget
// (the GLPI API answers 429 without is_valid, which GLPI does not cache): it may be a key
// created a moment ago elsewhere, and GLPI would keep an "invalid" verdict
// for a day. A flood therefore gets errors, from memory, and a real key
// presented during one is asked again later instead of being refused.
//
// A bulk import (CreateKeys, glpinetd key bulk-issue) announces its keys
// with one change for the whole batch (TopicKeys), not one per key: Apply
// marks the set stale and the next Settle reads it again, once however
// many batches arrived since the last Settle. Meanwhile the set is trusted
// as before, misses within the budget (imports must not open the store to
// a flood), so a key of the batch presented before the set is read again
// gets ErrRecheckBudget while the budget is spent, as a key presented
// before its own change arrives does. KeysMaxAge reads the set again in any case,
// should a change ever be lost.
//
// After a Reset (a gap in the feed, a reconnection of the listener) the
// set may have missed changes: every miss reads the store, as before
// LoadKeys, until the set has been read again (by Settle).
type Validator struct {
	store ValidatorStore
	now   func() time.Time
	log   *slog.Logger

	// Fresh is how long an entry is trusted without a change notice; Stale
	// how long it may still be served when the store fails; Negative how
	// long an unknown key stays known as unknown.
	Fresh, Stale, Negative time.Duration
	// MaxEntries bounds memory: past it, arbitrary entries are evicted.
	MaxEntries int
	// Rechecks bounds the store reads of keys absent from the key set
	// (see above); replace it before the first Validate to change the
	// budget.
	Rechecks *rate.Limiter
	// KeysMaxAge is how often Settle reads the key set again, a safety
	// net should a change notice ever be lost; 0 never.
	KeysMaxAge time.Duration

	mu        sync.RWMutex
	entries   map[[32]byte]*entry
	byAccount map[int64]map[[32]byte]struct{}
	offers    atomic.Pointer[cachedOffers]

	loads     loadGroup
	lastSweep time.Time
	// epoch counts invalidations: a load that started before one may have
	// read what the invalidation was about, so it must not be trusted.
	epoch atomic.Uint64
	// resets counts Resets: an entry, or the offers, loaded under an
	// earlier count are stale (see Reset); offers read before a change are
	// thus never used after it.
	resets atomic.Uint64

	// keys holds every key hash of the store once LoadKeys has run.
	keys keyIndex
	// unknown answers the keys absent from the key set: one shared
	// entry, never stored, whose verdict (and rendered answers) serve all.
	unknown *entry
}

// cachedOffers are the offers as read under a resets count.
type cachedOffers struct {
	gen uint64
	m   map[string]*glpinet.Offer
}

type entry struct {
	rec      *glpinet.KeyRecord // nil: the key is unknown
	loadedAt time.Time
	resets   uint64 // Validator.resets when the load started
	// verdict is the last evaluation, reused until it expires.
	verdict atomic.Pointer[glpinet.Validation]
}

// NewValidator returns a validator reading store.
func NewValidator(store ValidatorStore, now func() time.Time, log *slog.Logger) *Validator {
	if log == nil {
		log = slog.Default()
	}
	v := &Validator{store: store, now: now, log: log,
		Fresh: 5 * time.Minute, Stale: time.Hour, Negative: time.Minute, MaxEntries: 100_000,
		Rechecks: rate.NewLimiter(20, 50), KeysMaxAge: time.Hour,
		entries: map[[32]byte]*entry{}, byAccount: map[int64]map[[32]byte]struct{}{},
		unknown: &entry{}}
	v.unknown.verdict.Store(&glpinet.Validation{Code: glpinet.ValidationUnknown, Memo: &glpinet.Memo{}})
	return v
}

// LoadKeys reads every key hash of the store into the key set, so that
// unknown keys are answered from memory from then on, and logs how many
// and how long it took. Call it once the change feed is followed (see
// Watcher.Start), so that no change committed meanwhile is lost.
func (v *Validator) LoadKeys(ctx context.Context) error {
	return v.loadKeys(ctx, slog.LevelInfo)
}

func (v *Validator) loadKeys(ctx context.Context, level slog.Level) error {
	start := time.Now()
	n, size, err := v.keys.load(ctx, v.store.EachKeyHash, v.now)
	if err != nil {
		return fmt.Errorf("load key hashes: %w", err)
	}
	v.log.Log(ctx, level, "key hashes loaded", "keys", n, "bytes", size, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// ErrRecheckBudget is glpinet.ErrRecheckBudget, the answer for a key
// missing from the key set when no store re-check is left in the budget.
var ErrRecheckBudget = glpinet.ErrRecheckBudget

// Validate returns the verdict on a raw key as GLPI sends it.
func (v *Validator) Validate(ctx context.Context, raw string) (glpinet.Validation, error) {
	key := glpinet.NormalizeKey(raw)
	if key == "" {
		return glpinet.Validation{Code: glpinet.ValidationMissing}, nil
	}
	if p := glpinet.CheckKey(key); p != glpinet.KeyOK {
		return glpinet.Validation{Code: glpinet.ValidationMalformed, KeyProblem: p}, nil
	}
	hash := glpinet.HashKey(key)
	now := v.now()

	v.mu.RLock()
	e := v.entries[hash]
	v.mu.RUnlock()
	if e != nil && now.Sub(e.loadedAt) < v.ttl(e) && e.resets == v.resets.Load() {
		return v.verdict(ctx, e, now)
	}
	known, current := v.keys.has(hash)
	recheck := current && !known
	if recheck && (!glpinet.RechecksAllowed(ctx) || v.Rechecks.TokensAt(now) < 1) {
		// No budget left (checked again below, in the one call that
		// re-checks for all concurrent requests of this key).
		return glpinet.Validation{}, ErrRecheckBudget
	}
	fresh, err := v.loads.do(hash, v.log, func() (*entry, error) {
		if recheck && !v.Rechecks.AllowN(v.now(), 1) {
			return nil, ErrRecheckBudget
		}
		// Shared by every request waiting for this key: one caller going
		// away must not fail the others.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return v.load(lctx, hash)
	})
	if err == ErrRecheckBudget {
		return glpinet.Validation{}, err
	}
	if err != nil {
		if e != nil && now.Sub(e.loadedAt) < v.Stale {
			v.log.Warn("serving a cached validation: the store failed", "err", err)
			return v.verdict(ctx, e, now)
		}
		return glpinet.Validation{}, err
	}
	return v.verdict(ctx, fresh, now)
}

func (v *Validator) ttl(e *entry) time.Duration {
	if e.rec == nil {
		return v.Negative
	}
	return v.Fresh
}

// verdict evaluates an entry, reusing the previous evaluation while time
// alone cannot have changed it.
func (v *Validator) verdict(ctx context.Context, e *entry, now time.Time) (glpinet.Validation, error) {
	if p := e.verdict.Load(); p != nil && (p.Expires.IsZero() || now.Before(p.Expires)) {
		return *p, nil
	}
	if e.rec == nil {
		val := glpinet.Validation{Code: glpinet.ValidationUnknown, Memo: &glpinet.Memo{}}
		e.verdict.Store(&val)
		return val, nil
	}
	offers, err := v.offerMap(ctx)
	if err != nil {
		return glpinet.Validation{}, err
	}
	val := glpinet.Evaluate(e.rec, offers, now)
	val.Memo = &glpinet.Memo{}
	e.verdict.Store(&val)
	return val, nil
}

func (v *Validator) offerMap(ctx context.Context) (map[string]*glpinet.Offer, error) {
	gen := v.resets.Load()
	if c := v.offers.Load(); c != nil && c.gen == gen {
		return c.m, nil
	}
	offers, err := v.store.ListOffers(ctx)
	if err != nil {
		return nil, err
	}
	m := glpinet.OfferMap(offers)
	v.offers.Store(&cachedOffers{gen: gen, m: m})
	return m, nil
}

func (v *Validator) load(ctx context.Context, hash [32]byte) (*entry, error) {
	resets := v.resets.Load()
	epoch := v.epoch.Load()
	rec, err := v.store.FindKeyRecord(ctx, hash)
	if err != nil && glpinet.ErrorCode(err) != glpinet.ENOTFOUND {
		return nil, err
	}
	if _, err := v.offerMap(ctx); err != nil {
		return nil, err
	}
	if rec != nil {
		// Found although perhaps absent from the key set (announced
		// late, or not at all): it is there from now on.
		v.keys.add(hash)
	}
	e := &entry{rec: rec, loadedAt: v.now(), resets: resets}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.epoch.Load() != epoch {
		// An invalidation ran while we read: answer this request with what
		// was read, but keep the entry expired so that the next one reads
		// again (its result may predate the change).
		e.loadedAt = time.Time{}
	}
	if len(v.entries) >= v.MaxEntries {
		v.evictLocked(len(v.entries) / 10)
	}
	v.entries[hash] = e
	if rec != nil {
		set := v.byAccount[rec.Account.ID]
		if set == nil {
			set = map[[32]byte]struct{}{}
			v.byAccount[rec.Account.ID] = set
		}
		set[hash] = struct{}{}
	}
	return e, nil
}

// evictLocked drops n arbitrary entries (Go's map order is random enough to
// make this fair).
func (v *Validator) evictLocked(n int) {
	for h := range v.entries {
		if n <= 0 {
			return
		}
		v.dropLocked(h)
		n--
	}
}

func (v *Validator) dropLocked(h [32]byte) {
	e := v.entries[h]
	if e == nil {
		return
	}
	delete(v.entries, h)
	if e.rec != nil {
		if set := v.byAccount[e.rec.Account.ID]; set != nil {
			delete(set, h)
			if len(set) == 0 {
				delete(v.byAccount, e.rec.Account.ID)
			}
		}
	}
}

// Apply drops what a change makes stale, and adds the hash of a key
// change to the key set (creations and rotations announce the new key
// so). A bulk import (TopicKeys) has the key set read again at the next
// Settle, and drops the entries of unknown keys, which may be of the
// batch. It implements Follower.
func (v *Validator) Apply(c glpinet.Change) {
	switch c.Topic {
	case glpinet.TopicKey, glpinet.TopicKeys, glpinet.TopicAccount, glpinet.TopicOffers:
		v.epoch.Add(1)
	}
	switch c.Topic {
	case glpinet.TopicKeys:
		v.keys.markStale()
		v.mu.Lock()
		for h, e := range v.entries {
			if e.rec == nil {
				v.dropLocked(h)
			}
		}
		v.mu.Unlock()
	case glpinet.TopicKey:
		var h [32]byte
		if b, err := hex.DecodeString(c.Subject); err == nil && len(b) == len(h) {
			copy(h[:], b)
			v.keys.add(h)
			v.mu.Lock()
			v.dropLocked(h)
			v.mu.Unlock()
		}
	case glpinet.TopicAccount:
		id, err := strconv.ParseInt(c.Subject, 10, 64)
		if err != nil {
			return
		}
		v.mu.Lock()
		for h := range v.byAccount[id] {
			v.dropLocked(h)
		}
		v.mu.Unlock()
	case glpinet.TopicOffers:
		v.resetEntries()
	}
}

// Settle reads the key set again when a Reset made it behind, a bulk
// import stale, or it is KeysMaxAge old (once LoadKeys has run), and
// drops, once a minute, the entries too old to be served even during an
// outage, so that memory follows the keys in use rather than every key
// ever seen. The watcher calls it after each poll (after each burst of
// notifications when listening).
func (v *Validator) Settle(ctx context.Context) error {
	now := v.now()
	var err error
	if due, catchUp := v.keys.due(now, v.KeysMaxAge); due {
		// Routine reloads are not worth an info line; catching up is.
		level := slog.LevelDebug
		if catchUp {
			level = slog.LevelInfo
		}
		// On failure, the next Settle tries again.
		err = v.loadKeys(ctx, level)
	}
	if now.Sub(v.lastSweep) < time.Minute {
		return err
	}
	v.lastSweep = now
	v.mu.Lock()
	defer v.mu.Unlock()
	for h, e := range v.entries {
		if now.Sub(e.loadedAt) >= max(v.Stale, v.Negative) || e.rec == nil && now.Sub(e.loadedAt) >= v.Negative {
			v.dropLocked(h)
		}
	}
	return err
}

// Reset makes every entry stale: each is read again from the store before
// it is trusted again (after a gap in the change feed, a reconnection).
// Entries are kept as the fallback of a failing store, as any stale entry
// is: emptying the cache instead would make every replica answer 503 for
// keys it saw minutes ago if the database, just back, failed again under
// the burst of reloads. The key set may have missed new keys too: until
// Settle has read it again, every miss reads the store.
func (v *Validator) Reset() {
	v.keys.reset()
	v.resetEntries()
}

// resetEntries makes every entry, and the offers, stale (an offer change
// leaves the key set as it is).
func (v *Validator) resetEntries() {
	v.epoch.Add(1)
	v.resets.Add(1)
}

// Len returns the number of cached entries.
func (v *Validator) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.entries)
}

var _ glpinet.Validator = (*Validator)(nil)
