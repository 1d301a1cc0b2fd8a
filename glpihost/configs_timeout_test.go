package glpihost

import (
	"context"
	"net"
	"testing"
	"time"
)

// A server that accepts connections and never says a word (a firewall
// black-holing the port, a hung MariaDB) must not hold glpinet forever
// when nobody is there to interrupt it.
func TestOpenConfigDBSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	defer func(d, io time.Duration) { dbDialTimeout, dbIOTimeout = d, io }(dbDialTimeout, dbIOTimeout)
	dbDialTimeout, dbIOTimeout = 300*time.Millisecond, 300*time.Millisecond

	addr := ln.Addr().(*net.TCPAddr)
	start := time.Now()
	_, err = OpenConfigDB(context.Background(), DBConfig{Host: "127.0.0.1", Port: addr.Port, User: "glpi", Database: "glpi"})
	if err == nil {
		t.Fatal("OpenConfigDB succeeded against a silent server")
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("OpenConfigDB gave up after %v", d)
	}
}
