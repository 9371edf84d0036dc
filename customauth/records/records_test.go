package records_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
)

func TestMemoryStore(t *testing.T) {
	testStore(t, func(t *testing.T) records.Store { return &records.MemoryStore{} })
}

func TestDynamoStore(t *testing.T) {
	client := dynamotest.Client(t)
	testStore(t, func(t *testing.T) records.Store {
		table := dynamotest.CreateTable(t, client, records.TableDefinition("records"))
		waitActive(t, client, table)
		s, err := records.NewDynamoStore(client, table)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// waitActive waits until a new table answers: dynalite creates tables
// asynchronously even with a zero delay.
func waitActive(t *testing.T, client *dynamodb.Client, table string) {
	t.Helper()
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)}, 10*time.Second); err != nil {
		t.Fatalf("table %s did not become active: %v", table, err)
	}
}

var t0 = time.Unix(1_800_000_000, 0)

func fresh(t *testing.T, ttl time.Duration) records.Record {
	t.Helper()
	n, err := records.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	return records.Record{Nonce: n, ExpiresAt: t0.Add(ttl)}
}

// testStore is the conformance suite that every Store passes.
func testStore(t *testing.T, newStore func(t *testing.T) records.Store) {
	ctx := context.Background()

	t.Run("OpenReturnsTheLiveRecord", func(t *testing.T) {
		s := newStore(t)
		first := fresh(t, time.Minute)
		got, err := s.Open(ctx, "otp#a", first, t0)
		if err != nil {
			t.Fatal(err)
		}
		if got != first {
			t.Fatalf("first Open = %+v, want the fresh record %+v", got, first)
		}
		again, err := s.Open(ctx, "otp#a", fresh(t, time.Minute), t0.Add(59*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if again != first {
			t.Fatalf("second Open = %+v, want the live record %+v", again, first)
		}
		other, err := s.Open(ctx, "otp#b", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		if other.Nonce == first.Nonce {
			t.Fatal("two slots share a record")
		}
	})

	t.Run("OpenReplacesAnExpiredRecord", func(t *testing.T) {
		s := newStore(t)
		first := fresh(t, time.Minute)
		if _, err := s.Open(ctx, "slot", first, t0); err != nil {
			t.Fatal(err)
		}
		later := t0.Add(time.Minute)
		next := records.Record{Nonce: "n2", ExpiresAt: later.Add(time.Minute)}
		got, err := s.Open(ctx, "slot", next, later)
		if err != nil {
			t.Fatal(err)
		}
		if got.Nonce != "n2" {
			t.Fatalf("Open after expiry kept nonce %q, want the fresh one", got.Nonce)
		}
	})

	t.Run("ConcurrentOpensAgree", func(t *testing.T) {
		s := newStore(t)
		const n = 16
		nonces := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r, err := s.Open(ctx, "race", fresh(t, time.Minute), t0)
				nonces[i], errs[i] = r.Nonce, err
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if nonces[i] != nonces[0] {
				t.Fatalf("concurrent Opens returned different records: %q and %q", nonces[0], nonces[i])
			}
		}
	})

	t.Run("ClaimSendOncePerInterval", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Open(ctx, "send", fresh(t, 5*time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		claim := func(at time.Time, nonce string) bool {
			t.Helper()
			ok, err := s.ClaimSend(ctx, "send", nonce, at, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !claim(t0, r.Nonce) {
			t.Fatal("first ClaimSend = false, want true")
		}
		if claim(t0.Add(59*time.Second), r.Nonce) {
			t.Fatal("ClaimSend within the interval = true, want false")
		}
		if claim(t0.Add(2*time.Minute), "other-nonce") {
			t.Fatal("ClaimSend with another nonce = true, want false")
		}
		if !claim(t0.Add(time.Minute), r.Nonce) {
			t.Fatal("ClaimSend after the interval = false, want true")
		}
		if claim(t0.Add(5*time.Minute), r.Nonce) {
			t.Fatal("ClaimSend of an expired record = true, want false")
		}
		ok, err := s.ClaimSend(ctx, "no-such-slot", r.Nonce, t0, time.Minute)
		if err != nil || ok {
			t.Fatalf("ClaimSend of a missing slot = %v, %v; want false, nil", ok, err)
		}
		got, err := s.Open(ctx, "send", fresh(t, time.Hour), t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if !got.SentAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("SentAt = %v, want the last claim %v", got.SentAt, t0.Add(time.Minute))
		}
	})

	t.Run("ConcurrentClaimsHaveOneWinner", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Open(ctx, "claim-race", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		const n = 16
		if wins := winners(t, n, func() (bool, error) { return s.ClaimSend(ctx, "claim-race", r.Nonce, t0, time.Minute) }); wins != 1 {
			t.Fatalf("%d of %d concurrent ClaimSends won, want exactly 1", wins, n)
		}
	})

	t.Run("ReleaseSendAllowsARetry", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Open(ctx, "release", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimSend(ctx, "release", r.Nonce, t0, time.Minute); !ok {
			t.Fatal("ClaimSend = false")
		}
		// A release for another claim time is not ours: nothing changes.
		if err := s.ReleaseSend(ctx, "release", r.Nonce, t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimSend(ctx, "release", r.Nonce, t0.Add(time.Second), time.Minute); ok {
			t.Fatal("a release of another claim freed the send")
		}
		if err := s.ReleaseSend(ctx, "release", r.Nonce, t0); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimSend(ctx, "release", r.Nonce, t0.Add(time.Second), time.Minute); !ok {
			t.Fatal("ClaimSend after ReleaseSend = false, want true")
		}
		if err := s.ReleaseSend(ctx, "missing", r.Nonce, t0); err != nil {
			t.Fatalf("ReleaseSend of a missing slot: %v", err)
		}
	})

	t.Run("ConsumeIsSingleUse", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Open(ctx, "use", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Consume(ctx, "use", "forged", t0, 5); err != nil || ok {
			t.Fatalf("Consume with another nonce = %v, %v; want false", ok, err)
		}
		if ok, err := s.Consume(ctx, "use", r.Nonce, t0, 5); err != nil || !ok {
			t.Fatalf("Consume = %v, %v; want true", ok, err)
		}
		if ok, err := s.Consume(ctx, "use", r.Nonce, t0, 5); err != nil || ok {
			t.Fatalf("second Consume = %v, %v; want false (replay)", ok, err)
		}
		next, err := s.Open(ctx, "use", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		if next.Nonce == r.Nonce {
			t.Fatal("Open after Consume returned the consumed record")
		}
	})

	t.Run("ConsumeNeedsFailuresUnderTheLimit", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Open(ctx, "counted", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := s.Fail(ctx, "counted", r.Nonce, 10); err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := s.Consume(ctx, "counted", r.Nonce, t0, 2); err != nil || ok {
			t.Fatalf("Consume with 2 failures and limit 2 = %v, %v; want false", ok, err)
		}
		if ok, err := s.Consume(ctx, "counted", r.Nonce, t0, 3); err != nil || !ok {
			t.Fatalf("Consume with 2 failures and limit 3 = %v, %v; want true", ok, err)
		}
		if _, err := s.Consume(ctx, "counted", r.Nonce, t0, 0); err == nil {
			t.Fatal("Consume with limit 0 accepted")
		}
	})

	t.Run("ConsumeRefusesExpired", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Open(ctx, "old", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Consume(ctx, "old", r.Nonce, t0.Add(time.Minute), 5); err != nil || ok {
			t.Fatalf("Consume of an expired record = %v, %v; want false", ok, err)
		}
	})

	t.Run("ConcurrentConsumesHaveOneWinner", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Open(ctx, "use-race", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		const n = 16
		if wins := winners(t, n, func() (bool, error) { return s.Consume(ctx, "use-race", r.Nonce, t0, 5) }); wins != 1 {
			t.Fatalf("%d of %d concurrent Consumes won, want exactly 1", wins, n)
		}
	})

	t.Run("FailBurnsAtTheLimit", func(t *testing.T) {
		s := newStore(t)
		r, err := s.Open(ctx, "guess", fresh(t, time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			burned, err := s.Fail(ctx, "guess", r.Nonce, 3)
			if err != nil {
				t.Fatal(err)
			}
			if burned != (i == 3) {
				t.Fatalf("Fail #%d burned = %v", i, burned)
			}
			if i == 2 {
				got, err := s.Open(ctx, "guess", fresh(t, time.Minute), t0)
				if err != nil {
					t.Fatal(err)
				}
				if got.Failures != 2 || got.Nonce != r.Nonce {
					t.Fatalf("after 2 failures Open = %+v, want the same record with Failures 2", got)
				}
			}
		}
		if ok, _ := s.Consume(ctx, "guess", r.Nonce, t0, 5); ok {
			t.Fatal("a burned record was consumed")
		}
		if burned, err := s.Fail(ctx, "guess", r.Nonce, 3); err != nil || burned {
			t.Fatalf("Fail of a missing record = %v, %v; want false, nil", burned, err)
		}
	})

	t.Run("BadArguments", func(t *testing.T) {
		s := newStore(t)
		long := fmt.Sprintf("%01025d", 0)
		cases := map[string]func() error{
			"empty slot": func() error { _, err := s.Open(ctx, "", fresh(t, time.Minute), t0); return err },
			"long slot":  func() error { _, err := s.Open(ctx, long, fresh(t, time.Minute), t0); return err },
			"no nonce": func() error {
				_, err := s.Open(ctx, "x", records.Record{ExpiresAt: t0.Add(time.Minute)}, t0)
				return err
			},
			"already dead":   func() error { _, err := s.Open(ctx, "x", fresh(t, 0), t0); return err },
			"claim no slot":  func() error { _, err := s.ClaimSend(ctx, "", "n", t0, time.Minute); return err },
			"consume noslot": func() error { _, err := s.Consume(ctx, "", "n", t0, 5); return err },
			"fail no slot":   func() error { _, err := s.Fail(ctx, "", "n", 3); return err },
			"release noslot": func() error { return s.ReleaseSend(ctx, "", "n", t0) },
		}
		for name, call := range cases {
			if err := call(); !errors.Is(err, records.ErrInvalid) {
				t.Errorf("%s: err = %v, want ErrInvalid", name, err)
			}
		}
	})
}

func TestNewNonce(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n, err := records.NewNonce()
		if err != nil {
			t.Fatal(err)
		}
		if len(n) != 22 || seen[n] {
			t.Fatalf("nonce %q: wrong length or repeated", n)
		}
		seen[n] = true
	}
}

// winners runs try n times at once and counts the calls that won.
func winners(t *testing.T, n int, try func() (bool, error)) int {
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			ok, err := try()
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	return int(wins.Load())
}
