package main

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// envInt reads an integer setting from the environment, def when unset;
// checkEnvInts reports a value that is not a number.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// checkEnvInts returns an error naming the first of the variables set to
// something that is not a whole number.
func checkEnvInts(names ...string) error {
	for _, n := range names {
		if v, ok := os.LookupEnv(n); ok && v != "" {
			if _, err := strconv.Atoi(v); err != nil {
				return fmt.Errorf("%s=%q is not a whole number", n, v)
			}
		}
	}
	return nil
}

// envBool reads a true/false setting from the environment (1, t, true,
// 0, f, false… as strconv.ParseBool), def when unset or not a boolean;
// checkEnvBools reports a value that is not one.
func envBool(name string, def bool) bool {
	if b, err := strconv.ParseBool(os.Getenv(name)); err == nil {
		return b
	}
	return def
}

// checkEnvBools returns an error naming the first of the variables set to
// something that is not true or false.
func checkEnvBools(names ...string) error {
	for _, n := range names {
		if v, ok := os.LookupEnv(n); ok && v != "" {
			if _, err := strconv.ParseBool(v); err != nil {
				return fmt.Errorf("%s=%q is neither true nor false", n, v)
			}
		}
	}
	return nil
}

// parsePrefixes reads "10.0.0.0/8, 192.0.2.1, ::1": addresses or CIDR
// ranges; "" is nil.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR range", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
