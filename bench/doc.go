// Package bench holds glpinetd's benchmarks.
//
//   - run.sh load-tests a real glpinetd with wrk against nginx serving the
//     same bytes, under GLPI's requests and under abusive ones (see
//     docs/benchmarks.md); wrk/ holds its Lua scripts.
//
//   - soak.sh runs glpinetd for ten minutes under GLPI's traffic mixed with
//     the abusive loads, and checks that no answer is a 5xx and that memory
//     and file descriptors stay flat. It shares its build, seeding and
//     server start with run.sh (lib.sh).
//
//   - seed is the command that publishes the benchmark catalogue, generated
//     by package catalogue.
//
//   - loadgen sends requests at a fixed rate (open loop) and reports latency
//     percentiles: run.sh measures p99 with it, apart from wrk's saturated
//     runs.
//
//   - keygen prints well-formed registration keys no server holds, for the
//     unknown-key loads.
//
//   - slowclients holds slow connections (trickled headers and bodies,
//     downloads never read) from other loopback addresses than the load
//     generator's, and reports when the server cut them.
//
//   - soakgen sends soak.sh's mix of requests at a fixed rate, or as fast as
//     the server answers to measure its capacity.
//
//   - This package's Go benchmarks measure the handlers in-process, without
//     the network or net/http's connection handling:
//
//     go test ./bench -run '^$' -bench . -benchmem
package bench
