package proxytest

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// echo starts a line echo server.
func echo(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s := bufio.NewScanner(c)
				for s.Scan() {
					c.Write(append(s.Bytes(), '\n'))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

func TestFault(t *testing.T) {
	f := StartFault(t, echo(t))
	if err := roundTrip(f.Addr); err != nil {
		t.Fatalf("relayed: %v", err)
	}
	open, err := net.Dial("tcp", f.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	roundTripOn := func(c net.Conn) error {
		c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write([]byte("x\n")); err != nil {
			return err
		}
		_, err := bufio.NewReader(c).ReadString('\n')
		return err
	}
	if err := roundTripOn(open); err != nil {
		t.Fatal(err)
	}
	f.Cut()
	if err := roundTripOn(open); err == nil {
		t.Fatal("an open connection survived the cut")
	}
	if err := roundTrip(f.Addr); err == nil {
		t.Fatal("a new connection went through while cut")
	}
	f.Restore()
	if err := roundTrip(f.Addr); err != nil {
		t.Fatalf("after restore: %v", err)
	}
}
