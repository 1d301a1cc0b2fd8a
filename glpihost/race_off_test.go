//go:build !race

package glpihost

// slowdown is how much slower code runs in this test binary (see
// race_on_test.go).
const slowdown = 1
