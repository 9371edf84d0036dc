package pretoken_test

import (
	"context"
	"testing"

	"github.com/cognitrig/cognitrig/tenancy/internal/tabletest"
	"github.com/cognitrig/cognitrig/tenancy/pretoken"
	"github.com/cognitrig/cognitrig/triggers"
)

// BenchmarkPreToken compares, in one run against the DynamoDB-API server
// (skipped without it), a pre token generation handler that reads through
// a warm tenancy.Cache with one that reads the tenant with a GetItem on
// every invocation, and counts the store reads of 10,000 invocations over
// 50 tenants in one TTL window.
func BenchmarkPreToken(b *testing.B) {
	const tenants = 50
	store, _, _ := tabletest.Store(b)
	seedTenants(b, store, tenants)
	evs := tenantEvents(b, 10_000, tenants)
	ctx := context.Background()

	// The two handlers take turns over the same 500 users (10 a tenant).
	users := evs[:500]
	run := func(b *testing.B, h *pretoken.Handler) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ev := users[i%len(users)]
			ev.Response = triggers.PreTokenGenerationV2Response{}
			if err := h.PreTokenGenerationV2(ctx, ev); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}

	b.Run("warm-cache", func(b *testing.B) {
		h := newHandler(b, pretoken.Config{Resolver: cachedResolver(b, store)})
		for _, ev := range evs[:tenants] { // warm: one read per tenant
			if err := h.PreTokenGenerationV2(ctx, ev); err != nil {
				b.Fatal(err)
			}
		}
		run(b, h)
	})

	b.Run("getitem-per-invocation", func(b *testing.B) {
		run(b, newHandler(b, pretoken.Config{Resolver: newResolver(b, store)}))
	})

	b.Run("reads-per-ttl-window", func(b *testing.B) {
		// One op is 10,000 invocations over 50 tenants with a new cache:
		// one TTL window from cold.
		b.ReportAllocs()
		var reads int64
		for b.Loop() {
			counted := &countingReader{Reader: store}
			h := newHandler(b, pretoken.Config{Resolver: cachedResolver(b, counted)})
			for _, ev := range evs {
				ev.Response = triggers.PreTokenGenerationV2Response{}
				if err := h.PreTokenGenerationV2(ctx, ev); err != nil {
					b.Fatal(err)
				}
			}
			reads += counted.tenants.Load() + counted.users.Load()
		}
		b.ReportMetric(float64(reads)/float64(b.N), "reads/window")
		b.ReportMetric(float64(len(evs)), "invocations/window")
	})
}
