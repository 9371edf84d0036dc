package triggers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// BenchmarkDispatch compares, on the same recorded pre token generation V2
// event and with the same work (a tenant claim and a scope), a bare
// aws-lambda-go handler with a cognitrig Router behind the default
// middleware (logging at info level, recover, deadline) and response checks.
func BenchmarkDispatch(b *testing.B) {
	benchDispatch(b, triggertest.Load(b, "TokenGeneration_Authentication.v2"))
}

// BenchmarkDispatchSize is BenchmarkDispatch on pre token generation V2
// events of about 2 KB, 10 KB and 100 KB: the recorded event with many
// custom attributes and groups, as a large tenant's users have.
func BenchmarkDispatchSize(b *testing.B) {
	for _, size := range []int{2 << 10, 10 << 10, 100 << 10} {
		payload := sizedEvent(b, size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			benchDispatch(b, payload)
		})
	}
}

// sizedEvent grows the recorded pre token generation V2 event to about
// size bytes: one group and one custom attribute per step.
func sizedEvent(b *testing.B, size int) []byte {
	bl := triggertest.From(b, "TokenGeneration_Authentication.v2")
	for i := 0; ; i++ {
		if i%8 == 0 {
			if out := bl.JSON(b); len(out) >= size {
				return out
			}
		}
		bl.UserAttribute(fmt.Sprintf("custom:attr%04d", i), fmt.Sprintf("value %d of a custom attribute", i)).
			Append("request.groupConfiguration.groupsToOverride", fmt.Sprintf("tenant-acme-group-%04d", i))
	}
}

// dispatchers returns the two sides of BenchmarkDispatch: a bare
// aws-lambda-go handler and a Router behind the default middleware, doing
// the same work.
func dispatchers() (bare, router interface {
	Invoke(context.Context, []byte) ([]byte, error)
}) {
	bare = lambda.NewHandler(func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		tenant := ev.Request.UserAttributes["custom:tenantId"]
		at := &ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
		at.ClaimsToAddOrOverride = map[string]any{"tenant_id": tenant}
		at.ScopesToAdd = []string{"tenant:" + tenant + ":read"}
		return ev, nil
	})
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	r.PreTokenGenerationV2(func(_ context.Context, ev *triggers.PreTokenGenerationV2Event) error {
		tenant := ev.Request.UserAttributes["custom:tenantId"]
		at := ev.Response.Details().AccessToken()
		at.ClaimsToAddOrOverride = map[string]any{"tenant_id": tenant}
		at.ScopesToAdd = []string{"tenant:" + tenant + ":read"}
		return nil
	})
	return bare, r
}

func benchDispatch(b *testing.B, payload []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	bare, router := dispatchers()
	for _, side := range []struct {
		name string
		h    interface {
			Invoke(context.Context, []byte) ([]byte, error)
		}
	}{{"bare", bare}, {"cognitrig", router}} {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := side.h.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// interleaved runs both sides in alternating batches of 10 and
	// reports each side's ns/op and their ratio: on a shared machine, load
	// changes between the sequential sub-benchmarks above; here both sides
	// see the same load. ns/op of this line is the sum of both sides.
	b.Run("interleaved", func(b *testing.B) {
		const batch = 10
		var tb, tc time.Duration
		n := 0
		for b.Loop() {
			t0 := time.Now()
			for range batch {
				if _, err := bare.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
			t1 := time.Now()
			for range batch {
				if _, err := router.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
			tc += time.Since(t1)
			tb += t1.Sub(t0)
			n += batch
		}
		b.ReportMetric(float64(tb.Nanoseconds())/float64(n), "bare-ns/op")
		b.ReportMetric(float64(tc.Nanoseconds())/float64(n), "cognitrig-ns/op")
		b.ReportMetric(float64(tc)/float64(tb), "ratio")
	})
}
