// Command seed fills a glpinetd data directory with the plugin catalogue of
// bench/catalogue, for the benchmarks of bench/run.sh.
//
// Every version is a real .tar.gz archive published through the same
// publish.Publisher that "glpinetd plugin publish" uses, signing key
// included, with one database for the whole run instead of one open per
// archive. Publishing is dominated by the fsync of each stored archive, so a
// few workers publish plugins in parallel (the store serialises the writes
// themselves); each plugin's versions are published in order by one worker.
//
// Usage:
//
//	go run ./bench/seed --data bench/out/data --plugins 480
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/bench/catalogue"
	"github.com/glpinet/glpinet/pluginarchive"
	"github.com/glpinet/glpinet/publish"
	"github.com/glpinet/glpinet/signing"
	"github.com/glpinet/glpinet/sqlite"
)

func main() {
	data := flag.String("data", "bench/out/data", "glpinetd data directory (database DATA/glpinet.db, archives DATA/archives)")
	count := flag.Int("plugins", 480, "number of plugins to publish")
	seed := flag.Uint64("seed", 1, "random seed: the same seed gives the same catalogue")
	workers := flag.Int("workers", 8, "plugins published in parallel")
	flag.Parse()
	if err := run(context.Background(), *data, *count, *seed, max(1, *workers)); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

// run publishes count plugins into the data directory with that many
// workers.
func run(ctx context.Context, data string, count int, seed uint64, workers int) error {
	start := time.Now()
	ctx = glpinet.WithActor(ctx, "cli:bench-seed")
	db, err := sqlite.Open(ctx, filepath.Join(data, "glpinet.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	signer, err := signing.LoadOrCreate(filepath.Join(data, "signing.key"))
	if err != nil {
		return err
	}
	pub := &publish.Publisher{Store: db, ArchiveDir: filepath.Join(data, "archives"),
		Limits: pluginarchive.DefaultLimits(), SigningKey: signer}
	tmp, err := os.MkdirTemp("", "glpinet-seed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	plugins := catalogue.Generate(count, seed)
	gated := 0
	for _, p := range plugins {
		if p.GatedBy != "" {
			gated++
		}
	}
	var (
		next     atomic.Int64
		versions atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(plugins) {
					return
				}
				n, err := plugins[i].Publish(ctx, pub, tmp)
				versions.Add(int64(n))
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					next.Store(int64(len(plugins)))
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	fmt.Printf("published %d plugins, %d versions (%d plugins gated by an offer) in %s\n",
		count, versions.Load(), gated, time.Since(start).Round(time.Millisecond))
	return nil
}
