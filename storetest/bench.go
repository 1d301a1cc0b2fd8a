package storetest

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/glpinet/glpinet"
)

// BenchmarkFindKeyRecord measures FindKeyRecord, the validator's cold
// path, on a store holding 100,000 keys over 100 accounts, each with a
// paid subscription on top of the free one. Keys are read in random
// order, so that caches along the way (the database's, the CPU's) help as
// they would in production and no more.
func BenchmarkFindKeyRecord(b *testing.B, s glpinet.Store) {
	const accounts, keys = 100, 100_000
	ctx := glpinet.WithActor(b.Context(), "test:storetest")
	var hashes [][32]byte
	var batch []*glpinet.RegistrationKey
	for i := range accounts {
		a := &glpinet.Account{Name: "Account " + strconv.Itoa(i)}
		if err := s.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
		sub := &glpinet.Subscription{AccountID: a.ID, OfferRef: "standard", Begin: a.CreatedAt}
		if err := s.CreateSubscription(ctx, sub); err != nil {
			b.Fatal(err)
		}
		for j := range keys / accounts {
			h := glpinet.HashKey("gnk_bench_" + strconv.Itoa(i) + "_" + strconv.Itoa(j))
			hashes = append(hashes, h)
			batch = append(batch, &glpinet.RegistrationKey{AccountID: a.ID, Hash: h, Prefix: "gnk_bench"})
		}
	}
	if err := s.CreateKeys(ctx, batch); err != nil {
		b.Fatal(err)
	}
	rand.Shuffle(len(hashes), func(i, j int) { hashes[i], hashes[j] = hashes[j], hashes[i] })
	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			rec, err := s.FindKeyRecord(ctx, hashes[i%len(hashes)])
			if err != nil || len(rec.Subscriptions) != 2 {
				b.Fatalf("FindKeyRecord = %+v, %v", rec, err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(len(hashes))
			for pb.Next() {
				if _, err := s.FindKeyRecord(ctx, hashes[i%len(hashes)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

// BenchmarkCreateKeys measures CreateKeys storing 100,000 new keys of one
// account in one call (two of glpinetd key bulk-issue's batches), into a
// store that grows by as much each iteration. Preparing the keys is not
// timed.
func BenchmarkCreateKeys(b *testing.B, s glpinet.Store) {
	const n = 100_000
	ctx := glpinet.WithActor(b.Context(), "test:storetest")
	a := &glpinet.Account{Name: "ACME"}
	if err := s.CreateAccount(ctx, a); err != nil {
		b.Fatal(err)
	}
	round := 0
	for b.Loop() {
		b.StopTimer()
		keys := make([]*glpinet.RegistrationKey, n)
		for i := range keys {
			keys[i] = &glpinet.RegistrationKey{AccountID: a.ID, Hash: glpinet.HashKey("gnk_bulk_" + strconv.Itoa(round) + "_" + strconv.Itoa(i)),
				Prefix: "gnk_bulk", Label: "bulk"}
		}
		round++
		b.StartTimer()
		if err := s.CreateKeys(ctx, keys); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/key")
}
