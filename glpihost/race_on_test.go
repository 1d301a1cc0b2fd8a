//go:build race

package glpihost

// slowdown is how much slower code runs in this test binary: the race
// detector makes reading several times slower, more on a busy machine,
// so that wall-clock bounds meant for a plain build would fail there.
const slowdown = 10
