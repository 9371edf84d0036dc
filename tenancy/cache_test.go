package tenancy_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// countingReader counts the reads that reach the store.
type countingReader struct {
	tenancy.Reader
	tenants, users, clients atomic.Int64
	gate                    func() // called inside each tenant read, if set
	fail                    error  // returned by tenant reads, if set
}

func (c *countingReader) GetTenant(ctx context.Context, id string) (tenancy.Tenant, error) {
	c.tenants.Add(1)
	if c.gate != nil {
		c.gate()
	}
	if c.fail != nil {
		return tenancy.Tenant{}, c.fail
	}
	return c.Reader.GetTenant(ctx, id)
}

func (c *countingReader) ListMemberships(ctx context.Context, user string) ([]tenancy.Membership, error) {
	c.users.Add(1)
	return c.Reader.ListMemberships(ctx, user)
}

func (c *countingReader) GetClient(ctx context.Context, id string) (tenancy.Client, error) {
	c.clients.Add(1)
	return c.Reader.GetClient(ctx, id)
}

// clock is a manual clock for tests: no sleeping.
func newClock() *triggertest.Clock {
	return triggertest.NewClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
}

func seeded(t *testing.T, tenants ...string) *tenancy.MemoryStore {
	t.Helper()
	s := tenancy.NewMemoryStore()
	for _, id := range tenants {
		if err := s.PutTenant(context.Background(), tenancy.Tenant{ID: id, Name: id, Status: tenancy.StatusActive}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestCacheTTL(t *testing.T) {
	ctx := context.Background()
	store := seeded(t, "acme")
	r := &countingReader{Reader: store}
	clk := newClock()
	c := newCache(t, r, tenancy.CacheConfig{TTL: time.Minute, Now: clk.Now})

	for range 10 {
		if got, err := c.GetTenant(ctx, "acme"); err != nil || got.ID != "acme" {
			t.Fatalf("GetTenant = %+v, %v", got, err)
		}
	}
	if n := r.tenants.Load(); n != 1 {
		t.Fatalf("%d reads for 10 lookups within the TTL, want 1", n)
	}

	// A suspension reaches the cache after the TTL, not before.
	if err := store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Status: tenancy.StatusSuspended}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Second)
	if got, _ := c.GetTenant(ctx, "acme"); !got.Active() {
		t.Fatal("the cache re-read before its TTL ended")
	}
	clk.Advance(time.Second)
	if got, _ := c.GetTenant(ctx, "acme"); got.Active() {
		t.Fatal("the cache served a value past its TTL")
	}
	if n := r.tenants.Load(); n != 2 {
		t.Fatalf("%d reads, want 2", n)
	}
	if st := c.Stats(); st.Hits != 10 || st.Misses != 2 || st.Entries != 1 {
		t.Fatalf("Stats = %+v, want 10 hits, 2 misses, 1 entry", st)
	}
}

func TestCacheNegative(t *testing.T) {
	ctx := context.Background()
	store := seeded(t)
	r := &countingReader{Reader: store}
	clk := newClock()
	c := newCache(t, r, tenancy.CacheConfig{TTL: time.Hour, NegativeTTL: 10 * time.Second, Now: clk.Now})

	for range 100 {
		if _, err := c.GetTenant(ctx, "ghost"); !errors.Is(err, tenancy.ErrNotFound) {
			t.Fatalf("GetTenant of an unknown tenant = %v, want ErrNotFound", err)
		}
		if _, err := c.GetClient(ctx, "ghost-client"); !errors.Is(err, tenancy.ErrNotFound) {
			t.Fatalf("GetClient of an unknown client = %v, want ErrNotFound", err)
		}
		if ms, err := c.ListMemberships(ctx, "sub-nobody"); err != nil || len(ms) != 0 {
			t.Fatalf("ListMemberships = %v, %v", ms, err)
		}
	}
	if r.tenants.Load() != 1 || r.clients.Load() != 1 || r.users.Load() != 1 {
		t.Fatalf("reads: tenants %d, clients %d, users %d; want 1 each for 100 lookups of unknown keys",
			r.tenants.Load(), r.clients.Load(), r.users.Load())
	}

	// Once created, the tenant is seen after NegativeTTL (not the hour).
	if err := store.PutTenant(ctx, tenancy.Tenant{ID: "ghost", Status: tenancy.StatusActive}); err != nil {
		t.Fatal(err)
	}
	if err := store.PutMembership(ctx, tenancy.Membership{Sub: "sub-nobody", UserName: "nobody", TenantID: "ghost", Role: "member"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Second)
	if _, err := c.GetTenant(ctx, "ghost"); err != nil {
		t.Fatalf("after NegativeTTL GetTenant = %v, want the new tenant", err)
	}
	if ms, _ := c.ListMemberships(ctx, "sub-nobody"); len(ms) != 1 {
		t.Fatalf("after NegativeTTL ListMemberships = %v, want the new membership", ms)
	}
}

func TestCacheDoesNotKeepFailures(t *testing.T) {
	ctx := context.Background()
	r := &countingReader{Reader: seeded(t, "acme"), fail: errors.New("throttled")}
	c := newCache(t, r, tenancy.CacheConfig{})
	if _, err := c.GetTenant(ctx, "acme"); err == nil || errors.Is(err, tenancy.ErrNotFound) {
		t.Fatalf("GetTenant = %v, want the store's failure", err)
	}
	r.fail = nil
	if _, err := c.GetTenant(ctx, "acme"); err != nil {
		t.Fatalf("after the store recovered GetTenant = %v, want the tenant", err)
	}
	if n := r.tenants.Load(); n != 2 {
		t.Fatalf("%d reads, want 2: a failure must not be cached", n)
	}
}

func TestCacheBounded(t *testing.T) {
	ctx := context.Background()
	r := &countingReader{Reader: seeded(t, "a", "b", "c")}
	c := newCache(t, r, tenancy.CacheConfig{MaxEntries: 2})
	get := func(id string) {
		t.Helper()
		if _, err := c.GetTenant(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	get("a")
	get("b")
	get("a") // a is now the most recently used
	get("c") // evicts b
	if st := c.Stats(); st.Entries != 2 {
		t.Fatalf("%d entries, want at most 2", st.Entries)
	}
	before := r.tenants.Load()
	get("a")
	get("c")
	if r.tenants.Load() != before {
		t.Fatal("a recently used entry was evicted")
	}
	get("b")
	if r.tenants.Load() != before+1 {
		t.Fatal("the least recently used entry was not evicted")
	}
}

func TestCacheCollapsesConcurrentMisses(t *testing.T) {
	const callers = 50
	var c *tenancy.Cache
	r := &countingReader{Reader: seeded(t, "acme")}
	// The read waits until every caller has missed, so that all of them
	// are waiting for it.
	r.gate = func() {
		deadline := time.Now().Add(5 * time.Second)
		for c.Stats().Misses < callers && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	c = newCache(t, r, tenancy.CacheConfig{})
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetTenant(context.Background(), "acme"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := r.tenants.Load(); n != 1 {
		t.Fatalf("%d concurrent misses made %d reads, want 1", callers, n)
	}
}

func TestCacheCallerGivesUp(t *testing.T) {
	release := make(chan struct{})
	r := &countingReader{Reader: seeded(t, "acme"), gate: func() { <-release }}
	c := newCache(t, r, tenancy.CacheConfig{})
	first := make(chan error, 1)
	go func() {
		_, err := c.GetTenant(context.Background(), "acme")
		first <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); c.Stats().Misses < 1; {
		if time.Now().After(deadline) {
			t.Fatal("the first caller never missed")
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetTenant(ctx, "acme"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a waiting caller whose context ended got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("the first caller got %v", err)
	}
}

func ExampleCache() {
	ctx := context.Background()
	store := tenancy.NewMemoryStore()
	_ = store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Status: tenancy.StatusActive, Tier: "pro"})

	cache, err := tenancy.NewCache(store, tenancy.CacheConfig{TTL: time.Minute})
	if err != nil {
		panic(err)
	}
	for range 3 {
		t, _ := cache.GetTenant(ctx, "acme")
		fmt.Println(t.Name, t.Tier)
	}
	_, err = cache.GetTenant(ctx, "nobody")
	fmt.Println(errors.Is(err, tenancy.ErrNotFound))
	fmt.Printf("%+v\n", cache.Stats())
	// Output:
	// Acme pro
	// Acme pro
	// Acme pro
	// true
	// {Hits:2 Misses:2 Entries:2}
}
