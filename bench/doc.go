// Package bench holds glpinetd's benchmarks.
//
//   - run.sh load-tests a real glpinetd with wrk against nginx serving the
//     same bytes (see docs/benchmarks.md); wrk/ holds its Lua scripts.
//
//   - seed is the command that publishes the benchmark catalogue, generated
//     by package catalogue.
//
//   - loadgen sends requests at a fixed rate (open loop) and reports latency
//     percentiles: run.sh measures p99 with it, apart from wrk's saturated
//     runs.
//
//   - This package's Go benchmarks measure the handlers in-process, without
//     the network or net/http's connection handling:
//
//     go test ./bench -run '^$' -bench . -benchmem
package bench
