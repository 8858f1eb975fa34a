package auth

import (
	"container/list"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter throttles events per key (an account, a client address) with a
// token bucket each, in memory. It keeps at most max keys and forgets the
// least recently used beyond that: a key under attack is in constant use
// and stays, while a flood of new keys only pushes out idle ones, whose
// buckets had refilled anyway or soon would. It never logs its keys.
// Safe for concurrent use. Other rate-limited forms (correction reports)
// may use one too.
type Limiter struct {
	limit rate.Limit
	burst int
	max   int

	mu   sync.Mutex
	lru  *list.List // of *limEntry, most recently used first
	keys map[string]*list.Element
}

type limEntry struct {
	key string
	lim *rate.Limiter
}

// NewLimiter returns a limiter allowing burst events per key at once and
// then limit per second, remembering at most maxKeys keys.
func NewLimiter(limit rate.Limit, burst, maxKeys int) *Limiter {
	return &Limiter{limit: limit, burst: burst, max: max(1, maxKeys), lru: list.New(), keys: map[string]*list.Element{}}
}

// Allow reports whether one more event of key may happen at now, and
// counts it if so.
func (l *Limiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.keys[key]
	if ok {
		l.lru.MoveToFront(el)
	} else {
		for l.lru.Len() >= l.max {
			old := l.lru.Back()
			l.lru.Remove(old)
			delete(l.keys, old.Value.(*limEntry).key)
		}
		el = l.lru.PushFront(&limEntry{key: key, lim: rate.NewLimiter(l.limit, l.burst)})
		l.keys[key] = el
	}
	return el.Value.(*limEntry).lim.AllowN(now, 1)
}

// Len returns how many keys the limiter remembers.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// AddrKey returns the throttling key of a client address given as "ip",
// "ip:port" or "[ip]:port": the IPv4 address, or the /64 prefix of an IPv6
// address, since one IPv6 client commonly holds a whole /64. Anything else
// is its own key (cut to a bounded length).
func AddrKey(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return addr[:min(len(addr), 64)]
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
