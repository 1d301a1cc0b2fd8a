package http

import (
	"io"
	"net"
	"net/netip"
	"sync"

	"github.com/glpinet/glpinet/http/httpx"
)

// ConnLimits bound the connections a listener keeps open: per client
// address, so that one client cannot hold them all, and in total, so that
// the process keeps file descriptors for its database and files. A
// connection past a limit is closed as soon as it is accepted: the client
// sees a reset, the server's accept loop goes on, and nothing is logged
// per refusal (a flood would fill the log).
type ConnLimits struct {
	// PerAddress is the most connections one client address (IPv4, or
	// IPv6 /64) may hold; 0: no limit.
	PerAddress int
	// Total is the most connections open at once; 0: no limit.
	Total int
	// Exempt tells addresses without a per-address limit: the reverse
	// proxies every client comes through.
	Exempt func(netip.Addr) bool
	// Refused is called for each connection closed at once (a metric).
	Refused func()
}

// ConnLimits returns limits of perAddress and total connections that
// exempt this server's trusted reverse proxies (when it runs behind them)
// and count refusals in its metrics. Call it after Handler.
func (s *Server) ConnLimits(perAddress, total int) ConnLimits {
	l := ConnLimits{PerAddress: perAddress, Total: total}
	if s.TrustForwarded {
		l.Exempt = s.trustedProxy
	}
	if s.metrics != nil {
		c := s.metrics.refused.WithLabelValues("connections")
		l.Refused = c.Inc
	}
	return l
}

// LimitListener wraps l with limits.
func LimitListener(l net.Listener, limits ConnLimits) net.Listener {
	return &limitListener{Listener: l, limits: limits, open: map[string]int{}}
}

type limitListener struct {
	net.Listener
	limits ConnLimits
	mu     sync.Mutex
	open   map[string]int
	total  int
}

// Accept returns the next connection within the limits.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := connAddr(c)
		key := httpx.ClientKey(addr)
		if l.limits.Exempt != nil && l.limits.Exempt(addr) {
			key = ""
		}
		if l.admit(key) {
			return &limitedConn{Conn: c, release: func() { l.release(key) }}, nil
		}
		c.Close()
		if l.limits.Refused != nil {
			l.limits.Refused()
		}
	}
}

func (l *limitListener) admit(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limits.Total > 0 && l.total >= l.limits.Total {
		return false
	}
	if key != "" && l.limits.PerAddress > 0 && l.open[key] >= l.limits.PerAddress {
		return false
	}
	l.total++
	if key != "" {
		l.open[key]++
	}
	return true
}

func (l *limitListener) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if key == "" {
		return
	}
	if l.open[key]--; l.open[key] <= 0 {
		delete(l.open, key)
	}
}

// connAddr is the IP address of a connection's client.
func connAddr(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return netip.IPv6Unspecified()
	}
	return ap.Addr().Unmap()
}

// limitedConn gives its place back once, when closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// ReadFrom keeps sendfile: net/http uses it only when the connection has
// it.
func (c *limitedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c.Conn}, r)
}

// CloseWrite keeps net/http's half close (a 413 reaches the client before
// the connection closes, instead of a reset).
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *limitedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
