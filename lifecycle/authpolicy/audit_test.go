package authpolicy_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
)

// testClock is a settable clock.
type testClock struct{ ns atomic.Int64 }

func newClock(t time.Time) *testClock {
	c := &testClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// auditStoreSuite is the conformance suite that every AuditStore passes.
func auditStoreSuite(t *testing.T, newStore func(t *testing.T, now func() time.Time) authpolicy.AuditStore) {
	rec := func(pool, user string, at time.Time) authpolicy.AuditRecord {
		return authpolicy.AuditRecord{UserPoolID: pool, UserName: user, Sub: "sub-" + user, ClientID: "client",
			Time: at, IP: "203.0.113.7", DeviceKey: "us-east-1_dev", RiskLevel: authpolicy.RiskHigh,
			NewDevice: true, MFARequired: true, ExpiresAt: at.Truncate(time.Second).Add(time.Hour)}
	}
	ctx := context.Background()

	t.Run("round trip, newest first, limit", func(t *testing.T) {
		clock := newClock(t0)
		s := newStore(t, clock.Now)
		var want []authpolicy.AuditRecord
		for i := range 5 {
			r := rec("pool", "jdoe", t0.Add(time.Duration(i)*time.Second+time.Duration(i)*time.Microsecond))
			want = append([]authpolicy.AuditRecord{r}, want...)
			if err := s.Put(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Recent(ctx, "pool", "jdoe", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Fatalf("got %d records, want 5", len(got))
		}
		for i := range got {
			if !got[i].Time.Equal(want[i].Time) || !got[i].ExpiresAt.Equal(want[i].ExpiresAt) {
				t.Fatalf("record %d: time %v expires %v, want %v %v", i, got[i].Time, got[i].ExpiresAt, want[i].Time, want[i].ExpiresAt)
			}
			g, w := got[i], want[i]
			g.Time, g.ExpiresAt, w.Time, w.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if g != w {
				t.Fatalf("record %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
		two, err := s.Recent(ctx, "pool", "jdoe", 2)
		if err != nil || len(two) != 2 || !two[0].Time.Equal(want[0].Time) {
			t.Fatalf("limit 2: %v %v", two, err)
		}
	})

	t.Run("same instant twice keeps both", func(t *testing.T) {
		s := newStore(t, newClock(t0).Now)
		r := rec("pool", "twice", t0)
		for range 2 {
			if err := s.Put(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.Recent(ctx, "pool", "twice", 10); len(got) != 2 {
			t.Fatalf("got %d records, want 2", len(got))
		}
	})

	t.Run("expired records are not returned", func(t *testing.T) {
		clock := newClock(t0)
		s := newStore(t, clock.Now)
		old := rec("pool", "exp", t0.Add(-50*time.Minute)) // expires at t0+10m
		fresh := rec("pool", "exp", t0)                    // expires at t0+60m
		for _, r := range []authpolicy.AuditRecord{old, fresh} {
			if err := s.Put(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.Recent(ctx, "pool", "exp", 10); len(got) != 2 {
			t.Fatalf("before expiry: %d records", len(got))
		}
		clock.Advance(10 * time.Minute) // exactly at old's expiry
		got, err := s.Recent(ctx, "pool", "exp", 1)
		if err != nil || len(got) != 1 || !got[0].Time.Equal(t0) {
			t.Fatalf("at expiry: %v %v", got, err)
		}
		if got, _ := s.Recent(ctx, "pool", "exp", 10); len(got) != 1 {
			t.Fatalf("at expiry, limit 10: %d records", len(got))
		}
		clock.Advance(time.Hour)
		if got, _ := s.Recent(ctx, "pool", "exp", 10); len(got) != 0 {
			t.Fatalf("after expiry: %d records", len(got))
		}
	})

	t.Run("users and pools are separate", func(t *testing.T) {
		s := newStore(t, newClock(t0).Now)
		for _, r := range []authpolicy.AuditRecord{rec("p1", "a", t0), rec("p1", "b", t0), rec("p2", "a", t0), rec("p1", "a#b", t0)} {
			_ = s.Put(ctx, r)
		}
		for _, k := range [][2]string{{"p1", "a"}, {"p1", "b"}, {"p2", "a"}, {"p1", "a#b"}} {
			got, err := s.Recent(ctx, k[0], k[1], 10)
			if err != nil || len(got) != 1 || got[0].UserPoolID != k[0] || got[0].UserName != k[1] {
				t.Fatalf("%v: %+v %v", k, got, err)
			}
		}
		if got, _ := s.Recent(ctx, "p3", "a", 10); len(got) != 0 {
			t.Fatalf("unknown user: %v", got)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		s := newStore(t, newClock(t0).Now)
		bad := []authpolicy.AuditRecord{
			{UserName: "a", Time: t0, ExpiresAt: t0.Add(time.Hour)},
			{UserPoolID: "p", Time: t0, ExpiresAt: t0.Add(time.Hour)},
			{UserPoolID: "p", UserName: "a", ExpiresAt: t0.Add(time.Hour)},
			{UserPoolID: "p", UserName: "a", Time: t0, ExpiresAt: t0},
		}
		for _, r := range bad {
			if err := s.Put(ctx, r); err == nil {
				t.Errorf("Put(%+v) accepted", r)
			}
		}
		if _, err := s.Recent(ctx, "p", "a", 0); err == nil {
			t.Error("Recent with limit 0 accepted")
		}
	})

	t.Run("concurrent puts lose nothing", func(t *testing.T) {
		s := newStore(t, newClock(t0).Now)
		const n = 40
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				errs <- s.Put(ctx, rec("pool", "busy", t0.Add(time.Duration(i%4)*time.Millisecond)))
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.Recent(ctx, "pool", "busy", 100); len(got) != n {
			t.Fatalf("got %d records, want %d", len(got), n)
		}
	})
}

func TestMemoryAuditStore(t *testing.T) {
	auditStoreSuite(t, func(_ *testing.T, now func() time.Time) authpolicy.AuditStore {
		return authpolicy.NewMemoryAuditStore(now)
	})
}

func TestDynamoAuditStore(t *testing.T) {
	client := dynamotest.Client(t)
	auditStoreSuite(t, func(t *testing.T, now func() time.Time) authpolicy.AuditStore {
		table := dynamotest.CreateTable(t, client, authpolicy.AuditTableDefinition("audit"))
		s, err := authpolicy.NewDynamoAuditStore(client, table, now)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestDynamoAuditStorePagesPastExpired(t *testing.T) {
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, authpolicy.AuditTableDefinition("audit"))
	clock := newClock(t0)
	s, _ := authpolicy.NewDynamoAuditStore(client, table, clock.Now)
	ctx := context.Background()
	// One live record under many newer expired ones: Recent must page on.
	live := authpolicy.AuditRecord{UserPoolID: "p", UserName: "u", Time: t0.Add(-time.Hour), ExpiresAt: t0.Add(time.Hour)}
	if err := s.Put(ctx, live); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		r := authpolicy.AuditRecord{UserPoolID: "p", UserName: "u", Time: t0.Add(time.Duration(i) * time.Second), ExpiresAt: t0.Add(time.Duration(i)*time.Second + time.Minute)}
		if err := s.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(30 * time.Minute)
	got, err := s.Recent(ctx, "p", "u", 1)
	if err != nil || len(got) != 1 || !got[0].Time.Equal(live.Time) {
		t.Fatalf("got %v %v", got, err)
	}
	// The TTL attribute is a number of seconds, as DynamoDB TTL needs.
	out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.Items[0][authpolicy.AuditTTLAttribute].(*types.AttributeValueMemberN); !ok {
		t.Fatalf("TTL attribute: %#v", out.Items[0][authpolicy.AuditTTLAttribute])
	}
	if _, err := authpolicy.NewDynamoAuditStore(nil, "", nil); err == nil {
		t.Fatal("NewDynamoAuditStore without client accepted")
	}
}
