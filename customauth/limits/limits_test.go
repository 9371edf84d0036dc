package limits_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/customauth/limits"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
)

// t0 starts a window of every length the tests use.
var t0 = time.Unix(1_800_000_000-1_800_000_000%86400, 0)

var testLimits = limits.Limits{MaxFailures: 3, FailureWindow: 10 * time.Minute, Lockout: time.Minute, MaxLockout: 5 * time.Minute, MaxSends: 4, SendWindow: time.Hour}

func TestMemoryStore(t *testing.T) {
	testStore(t, func(t *testing.T, l limits.Limits) limits.Store {
		s, err := limits.NewMemoryStore(l)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestDynamoStore(t *testing.T) {
	client := dynamotest.Client(t)
	testStore(t, func(t *testing.T, l limits.Limits) limits.Store {
		table := dynamotest.CreateTable(t, client, records.TableDefinition("budget"))
		s, err := limits.NewDynamoStore(client, table, l)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

var (
	fail    = limits.Charge{Failure: true}
	deliver = limits.Charge{Delivery: true}
	check   = limits.Charge{}
)

func spend(t *testing.T, s limits.Store, key string, c limits.Charge, at time.Time) bool {
	t.Helper()
	ok, err := s.Spend(context.Background(), key, c, at)
	if err != nil {
		t.Fatalf("Spend(%q, %+v): %v", key, c, err)
	}
	return ok
}

// testStore is the conformance suite of every Store.
func testStore(t *testing.T, newStore func(t *testing.T, l limits.Limits) limits.Store) {
	t.Run("FailuresLockOut", func(t *testing.T) {
		s := newStore(t, testLimits)
		for i := range 2 {
			if !spend(t, s, "u", fail, t0.Add(time.Duration(i)*time.Second)) {
				t.Fatalf("failure %d refused, want allowed", i+1)
			}
		}
		if !spend(t, s, "u", check, t0.Add(3*time.Second)) {
			t.Fatal("check after 2 of 3 failures refused")
		}
		if spend(t, s, "u", fail, t0.Add(4*time.Second)) {
			t.Fatal("the 3rd failure was allowed, want the lockout")
		}
		for _, c := range []limits.Charge{check, fail, deliver, {Failure: true, Delivery: true}} {
			if spend(t, s, "u", c, t0.Add(30*time.Second)) {
				t.Fatalf("charge %+v allowed while locked out", c)
			}
		}
		if !spend(t, s, "other", fail, t0.Add(30*time.Second)) {
			t.Fatal("another user shares the budget")
		}
		// The lockout lasts a minute from the 3rd failure.
		if spend(t, s, "u", check, t0.Add(63*time.Second)) {
			t.Fatal("lockout ended early")
		}
		if !spend(t, s, "u", check, t0.Add(65*time.Second)) {
			t.Fatal("still locked after the lockout")
		}
	})
	t.Run("LockoutsGrow", func(t *testing.T) {
		s := newStore(t, testLimits)
		at := t0
		want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
		for round, d := range want {
			for i := range 3 {
				got := spend(t, s, "u", fail, at)
				if got != (i < 2) {
					t.Fatalf("lockout %d: failure %d allowed = %v", round+1, i+1, got)
				}
			}
			if spend(t, s, "u", check, at.Add(d-time.Second)) {
				t.Fatalf("lockout %d ended before %v", round+1, d)
			}
			at = at.Add(d)
			if !spend(t, s, "u", check, at) {
				t.Fatalf("lockout %d lasted longer than %v", round+1, d)
			}
		}
	})
	t.Run("LevelForgottenAfterQuiet", func(t *testing.T) {
		s := newStore(t, testLimits)
		for range 3 {
			spend(t, s, "u", fail, t0)
		}
		// A day later the earlier lockout is forgotten: one minute again.
		later := t0.Add(24 * time.Hour)
		for range 3 {
			spend(t, s, "u", fail, later)
		}
		if !spend(t, s, "u", check, later.Add(time.Minute)) {
			t.Fatal("a lockout a day after the last one is longer than the first")
		}
	})
	t.Run("FailuresOutsideTheWindowAreForgotten", func(t *testing.T) {
		s := newStore(t, testLimits)
		// Two failures per 20 minutes never lock out.
		for i := range 10 {
			at := t0.Add(time.Duration(i) * 20 * time.Minute)
			if !spend(t, s, "u", fail, at) || !spend(t, s, "u", fail, at.Add(time.Second)) {
				t.Fatalf("two failures at %v refused", at)
			}
		}
	})
	t.Run("WindowBoundaryDoesNotDoubleTheBudget", func(t *testing.T) {
		s := newStore(t, testLimits)
		end := t0.Add(10*time.Minute - time.Second)
		spend(t, s, "u", fail, end)
		spend(t, s, "u", fail, end)
		if spend(t, s, "u", fail, end.Add(2*time.Second)) {
			t.Fatal("a new window gave a fresh budget right after two failures")
		}
	})
	t.Run("SendCap", func(t *testing.T) {
		s := newStore(t, testLimits)
		for i := range 4 {
			if !spend(t, s, "u", deliver, t0.Add(time.Duration(i)*time.Minute)) {
				t.Fatalf("delivery %d refused", i+1)
			}
		}
		if spend(t, s, "u", deliver, t0.Add(10*time.Minute)) {
			t.Fatal("the 5th delivery in an hour was allowed")
		}
		if !spend(t, s, "u", check, t0.Add(10*time.Minute)) {
			t.Fatal("the send cap locked the user out of challenges that send nothing")
		}
		if !spend(t, s, "u", deliver, t0.Add(time.Hour)) {
			t.Fatal("delivery in the next hour refused")
		}
	})
	t.Run("FailureCountsOverTheSendCap", func(t *testing.T) {
		s := newStore(t, testLimits)
		for range 4 {
			spend(t, s, "u", deliver, t0)
		}
		both := limits.Charge{Failure: true, Delivery: true}
		for range 3 {
			if spend(t, s, "u", both, t0) {
				t.Fatal("delivery over the cap allowed")
			}
		}
		if spend(t, s, "u", check, t0) {
			t.Fatal("failures refused for the send cap were not counted")
		}
	})
	t.Run("ConcurrentFailuresStayInBudget", func(t *testing.T) {
		s := newStore(t, limits.Limits{MaxFailures: 5})
		var allowed atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.Spend(context.Background(), "u", fail, t0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					allowed.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := allowed.Load(); n != 4 {
			t.Fatalf("%d of 20 concurrent failures allowed, want 4 (then the lockout)", n)
		}
		if spend(t, s, "u", check, t0) {
			t.Fatal("not locked out after 20 failures")
		}
	})
	t.Run("BadKey", func(t *testing.T) {
		s := newStore(t, testLimits)
		if _, err := s.Spend(context.Background(), "", fail, t0); err == nil {
			t.Fatal("empty key accepted")
		}
	})
}

func TestLimitsCheck(t *testing.T) {
	if err := (limits.Limits{}).Check(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, l := range []limits.Limits{
		{MaxFailures: -1}, {MaxFailures: 101}, {FailureWindow: time.Second}, {Lockout: 48 * time.Hour},
		{MaxSends: 1001}, {SendWindow: 25 * time.Hour}, {MaxLockout: 31 * 24 * time.Hour},
	} {
		if err := l.Check(); err == nil {
			t.Errorf("%+v accepted", l)
		}
		if _, err := limits.NewMemoryStore(l); err == nil {
			t.Errorf("NewMemoryStore(%+v) accepted", l)
		}
	}
}
