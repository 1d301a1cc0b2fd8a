// Command keygen prints well-formed registration keys that no server
// holds: random keys with a valid checksum (glpinet.GenerateKey), as a
// client scanning for keys would send them. bench/run.sh and bench/soak.sh
// use them for the unknown-key loads.
//
//	keygen -n 10000 > unknown-keys.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/glpinet/glpinet"
)

func main() {
	n := flag.Int("n", 10000, "number of keys to print, one per line")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	for range *n {
		k, err := glpinet.GenerateKey()
		if err != nil {
			fmt.Fprintln(os.Stderr, "keygen:", err)
			os.Exit(1)
		}
		fmt.Fprintln(w, k)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "keygen:", err)
		os.Exit(1)
	}
}
