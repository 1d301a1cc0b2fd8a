package cache

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/glpinet/glpinet"
)

// panickingStore panics in FindKeyRecord while panics is positive, after
// waiting for release when it is not nil.
type panickingStore struct {
	*fakeStore
	panics  atomic.Int64
	release chan struct{}
}

func (p *panickingStore) FindKeyRecord(ctx context.Context, h [32]byte) (*glpinet.KeyRecord, error) {
	if p.panics.Add(-1) >= 0 {
		if p.release != nil {
			<-p.release
		}
		panic("store bug")
	}
	return p.fakeStore.FindKeyRecord(ctx, h)
}

// TestLoadPanicIsAnError: a load that panics is an error for its caller,
// not a crash, and does not hold its key: the next validation of the same
// key loads it.
func TestLoadPanicIsAnError(t *testing.T) {
	_, fs, clock, key := setup(t)
	ps := &panickingStore{fakeStore: fs}
	ps.panics.Store(1)
	v := NewValidator(ps, clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if val, err := v.Validate(t.Context(), key); err == nil {
		t.Fatalf("a panicking load answered %s, want an error", val.Code)
	}
	if got := validate(t, v, key).Code; got != glpinet.ValidationValid {
		t.Fatalf("after the panic: %s, want VALID", got)
	}
}

// TestLoadPanicSharedByWaiters: every caller waiting on a load that panics
// gets the error (none crashes, none blocks), and the key loads afterwards.
func TestLoadPanicSharedByWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, fs, clock, key := setup(t)
		ps := &panickingStore{fakeStore: fs, release: make(chan struct{})}
		ps.panics.Store(1)
		v := NewValidator(ps, clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
		const callers = 5
		errs := make(chan error, callers)
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				_, err := v.Validate(context.Background(), key)
				errs <- err
			})
		}
		synctest.Wait() // one caller in the store, the others waiting on it
		close(ps.release)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err == nil {
				t.Error("a caller sharing a panicking load got no error")
			}
		}
		if got := validate(t, v, key).Code; got != glpinet.ValidationValid {
			t.Fatalf("after the panic: %s, want VALID", got)
		}
	})
}
