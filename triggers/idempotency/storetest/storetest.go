// Package storetest is the conformance suite of idempotency.Store: every
// implementation runs it,
//
//	storetest.Run(t, func(t *testing.T, now func() time.Time) idempotency.Store {
//		return idempotency.NewMemoryStore(now)
//	})
//
// with a store on the clock it is given.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/triggers/idempotency"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// Clock is the suite's clock (triggertest.Clock); stores read it through
// the now function.
type Clock = triggertest.Clock

// Run runs the suite. newStore returns an empty store that reads time from
// now.
func Run(t *testing.T, newStore func(t *testing.T, now func() time.Time) idempotency.Store) {
	ctx := context.Background()
	var seq atomic.Int64
	fresh := func(t *testing.T) (idempotency.Store, *Clock, string) {
		c := triggertest.NewClock(time.Unix(1_900_000_000, 0))
		return newStore(t, c.Now), c, fmt.Sprintf("us-east-1_TEST#PostConfirmation_ConfirmSignUp#%d#sub-%d", time.Now().UnixNano(), seq.Add(1))
	}
	begin := func(t *testing.T, s idempotency.Store, key, owner string, lease time.Duration, want idempotency.Claim) {
		t.Helper()
		got, err := s.Begin(ctx, key, owner, lease)
		if err != nil || got != want {
			t.Fatalf("Begin(%s) = %v, %v; want %v", owner, got, err, want)
		}
	}

	t.Run("claim, busy, finish, done", func(t *testing.T) {
		s, _, key := fresh(t)
		begin(t, s, key, "a", 10*time.Second, idempotency.Claimed)
		begin(t, s, key, "b", 10*time.Second, idempotency.Busy)
		if err := s.Finish(ctx, key, "b", time.Minute); !errors.Is(err, idempotency.ErrLostClaim) {
			t.Fatalf("Finish by a non-owner = %v, want ErrLostClaim", err)
		}
		if err := s.Finish(ctx, key, "a", time.Minute); err != nil {
			t.Fatal(err)
		}
		begin(t, s, key, "c", 10*time.Second, idempotency.Done)
		// Done stays done: a late Release or Finish changes nothing.
		if err := s.Release(ctx, key, "a"); err != nil {
			t.Fatal(err)
		}
		begin(t, s, key, "d", 10*time.Second, idempotency.Done)
		if err := s.Finish(ctx, key, "a", time.Minute); !errors.Is(err, idempotency.ErrLostClaim) {
			t.Fatalf("second Finish = %v, want ErrLostClaim", err)
		}
	})

	t.Run("release lets a retry run", func(t *testing.T) {
		s, _, key := fresh(t)
		begin(t, s, key, "a", 10*time.Second, idempotency.Claimed)
		if err := s.Release(ctx, key, "b"); err != nil { // not the owner: no effect
			t.Fatal(err)
		}
		begin(t, s, key, "c", 10*time.Second, idempotency.Busy)
		if err := s.Release(ctx, key, "a"); err != nil {
			t.Fatal(err)
		}
		begin(t, s, key, "c", 10*time.Second, idempotency.Claimed)
		if err := s.Release(ctx, key+"-never-claimed", "x"); err != nil {
			t.Errorf("releasing an absent key: %v", err)
		}
	})

	t.Run("an ended lease is taken over", func(t *testing.T) {
		s, clock, key := fresh(t)
		begin(t, s, key, "a", 2*time.Second, idempotency.Claimed)
		clock.Advance(time.Second)
		begin(t, s, key, "b", 2*time.Second, idempotency.Busy)
		clock.Advance(1500 * time.Millisecond)
		begin(t, s, key, "b", 2*time.Second, idempotency.Claimed)
		if err := s.Finish(ctx, key, "a", time.Minute); !errors.Is(err, idempotency.ErrLostClaim) {
			t.Fatalf("Finish after losing the lease = %v, want ErrLostClaim", err)
		}
		if err := s.Finish(ctx, key, "b", time.Minute); err != nil {
			t.Fatal(err)
		}
		begin(t, s, key, "c", time.Second, idempotency.Done)
	})

	t.Run("an expired record counts as absent", func(t *testing.T) {
		s, clock, key := fresh(t)
		begin(t, s, key, "a", time.Second, idempotency.Claimed)
		if err := s.Finish(ctx, key, "a", 10*time.Second); err != nil {
			t.Fatal(err)
		}
		clock.Advance(9 * time.Second)
		begin(t, s, key, "b", time.Second, idempotency.Done)
		// Past the expiry (whole seconds in DynamoDB, rounded up): the
		// database may still hold the item, the store must not see it.
		clock.Advance(3 * time.Second)
		begin(t, s, key, "b", time.Second, idempotency.Claimed)
	})

	t.Run("bad arguments", func(t *testing.T) {
		s, _, key := fresh(t)
		if _, err := s.Begin(ctx, "", "a", time.Second); err == nil {
			t.Error("Begin with an empty key")
		}
		if _, err := s.Begin(ctx, key, "", time.Second); err == nil {
			t.Error("Begin with an empty owner")
		}
		if _, err := s.Begin(ctx, key, "a", 0); err == nil {
			t.Error("Begin with no lease")
		}
		if err := s.Finish(ctx, key, "a", 0); err == nil {
			t.Error("Finish with no keep")
		}
		if err := s.Release(ctx, "", "a"); err == nil {
			t.Error("Release with an empty key")
		}
	})

	t.Run("one of concurrent claims wins", func(t *testing.T) {
		s, _, key := fresh(t)
		const n = 8
		var wg sync.WaitGroup
		var claimed, busy atomic.Int32
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := s.Begin(ctx, key, fmt.Sprintf("owner-%d", i), 10*time.Second)
				switch {
				case err != nil:
					errs <- err
				case c == idempotency.Claimed:
					claimed.Add(1)
				case c == idempotency.Busy:
					busy.Add(1)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if claimed.Load() != 1 || busy.Load() != n-1 {
			t.Errorf("claimed %d, busy %d; want 1 and %d", claimed.Load(), busy.Load(), n-1)
		}
	})
}
