package tenancy

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitrig/cognitrig/internal/nilcheck"
	"golang.org/x/sync/singleflight"
)

// Defaults of CacheConfig.
const (
	DefaultCacheTTL         = time.Minute
	DefaultCacheNegativeTTL = 10 * time.Second
	DefaultCacheMaxEntries  = 10_000
)

// CacheConfig configures a Cache. Zero fields take the defaults.
type CacheConfig struct {
	// TTL is how long a value read from the store is served. It bounds how
	// late a suspension or a change of tier reaches tokens. Default 1 min.
	TTL time.Duration
	// NegativeTTL is how long an unknown tenant or client, or a user with
	// no membership, is remembered as such. Default 10 s.
	NegativeTTL time.Duration
	// MaxEntries bounds each of the three maps (tenants, users, clients);
	// the least recently used entry goes first. Default 10,000.
	MaxEntries int
	// Now is the clock; tests inject one. Default time.Now.
	Now func() time.Time
}

// Cache is a per-container cache in front of a Reader: a Lambda container
// serves many sign-ins, and a tenant's record changes rarely, so token
// generation reads the store about once per tenant per TTL instead of once
// per sign-in. Unknown tenants and clients are cached too (for
// NegativeTTL), so that a flood of bad IDs does not reach the store, and
// concurrent misses of one key are collapsed into one read.
//
// Only ErrNotFound is cached among errors; any other failure is returned
// to every caller waiting on that read and retried by the next. The shared
// read runs with the context of the caller that missed first; a caller
// whose own context ends stops waiting.
//
// A Cache is safe for concurrent use. Slices in the values it returns are
// shared: do not modify them.
type Cache struct {
	r       Reader
	cfg     CacheConfig
	tenants lru[Tenant]
	users   lru[[]Membership]
	clients lru[Client]
	hits    atomic.Uint64
	misses  atomic.Uint64
}

var _ Reader = (*Cache)(nil)

// NewCache returns a Cache in front of r. It fails when r is nil: give
// the Store (memory or DynamoDB) that the cache reads through.
func NewCache(r Reader, cfg CacheConfig) (*Cache, error) {
	// A nil pointer in r (a store constructor's result on error) is nil
	// too: it would fail every event instead.
	if nilcheck.Is(r) {
		return nil, errors.New("tenancy: NewCache: the Reader is nil; give the tenancy.Store that the cache reads through")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultCacheTTL
	}
	if cfg.NegativeTTL <= 0 {
		cfg.NegativeTTL = DefaultCacheNegativeTTL
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultCacheMaxEntries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Cache{r: r, cfg: cfg}
	c.tenants.init(cfg.MaxEntries)
	c.users.init(cfg.MaxEntries)
	c.clients.init(cfg.MaxEntries)
	return c, nil
}

// GetTenant implements Reader.
func (c *Cache) GetTenant(ctx context.Context, id string) (Tenant, error) {
	return get(ctx, c, &c.tenants, id, c.r.GetTenant, func(Tenant) bool { return false })
}

// ListMemberships implements Reader. A user with no membership is
// remembered for NegativeTTL only, so that a new member is seen soon.
func (c *Cache) ListMemberships(ctx context.Context, sub string) ([]Membership, error) {
	return get(ctx, c, &c.users, sub, c.r.ListMemberships, func(m []Membership) bool { return len(m) == 0 })
}

// GetClient implements Reader.
func (c *Cache) GetClient(ctx context.Context, clientID string) (Client, error) {
	return get(ctx, c, &c.clients, clientID, c.r.GetClient, func(Client) bool { return false })
}

// CacheStats counts a Cache's lookups.
type CacheStats struct {
	Hits    uint64 // served from the cache
	Misses  uint64 // not in the cache: concurrent misses of one key count each but share one read
	Entries int    // entries held now, expired ones included until looked up or evicted
}

// Stats returns the counts of hits and misses so far.
func (c *Cache) Stats() CacheStats {
	return CacheStats{
		Hits:    c.hits.Load(),
		Misses:  c.misses.Load(),
		Entries: c.tenants.len() + c.users.len() + c.clients.len(),
	}
}

func get[V any](ctx context.Context, c *Cache, m *lru[V], key string,
	load func(context.Context, string) (V, error), empty func(V) bool) (V, error) {
	now := c.cfg.Now()
	if v, err, ok := m.lookup(key, now); ok {
		c.hits.Add(1)
		return v, err
	}
	c.misses.Add(1)
	ch := m.flight.DoChan(key, func() (any, error) {
		// A flight that ended just before this one began may have stored
		// the value already.
		if v, err, ok := m.lookup(key, c.cfg.Now()); ok {
			return v, err
		}
		v, err := load(ctx, key)
		switch {
		case err == nil:
			ttl := c.cfg.TTL
			if empty(v) {
				ttl = c.cfg.NegativeTTL
			}
			m.store(key, v, nil, c.cfg.Now().Add(ttl))
		case errors.Is(err, ErrNotFound):
			m.store(key, v, err, c.cfg.Now().Add(c.cfg.NegativeTTL))
		}
		return v, err
	})
	select {
	case res := <-ch:
		v, _ := res.Val.(V)
		return v, res.Err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// lru is a bounded map with expiry and least-recently-used eviction.
type lru[V any] struct {
	mu     sync.Mutex
	max    int
	items  map[string]*list.Element
	order  list.List // front: most recently used
	flight singleflight.Group
}

type lruEntry[V any] struct {
	key     string
	val     V
	err     error
	expires time.Time
}

func (m *lru[V]) init(max int) {
	m.max = max
	m.items = make(map[string]*list.Element)
}

func (m *lru[V]) lookup(key string, now time.Time) (V, error, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		var zero V
		return zero, nil, false
	}
	e := el.Value.(*lruEntry[V])
	if !now.Before(e.expires) {
		m.order.Remove(el)
		delete(m.items, key)
		var zero V
		return zero, nil, false
	}
	m.order.MoveToFront(el)
	return e.val, e.err, true
}

func (m *lru[V]) store(key string, v V, err error, expires time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		e := el.Value.(*lruEntry[V])
		e.val, e.err, e.expires = v, err, expires
		m.order.MoveToFront(el)
		return
	}
	m.items[key] = m.order.PushFront(&lruEntry[V]{key: key, val: v, err: err, expires: expires})
	for m.order.Len() > m.max {
		oldest := m.order.Back()
		m.order.Remove(oldest)
		delete(m.items, oldest.Value.(*lruEntry[V]).key)
	}
}

func (m *lru[V]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
