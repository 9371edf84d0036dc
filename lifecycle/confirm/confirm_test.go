package confirm_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/lifecycle/confirm"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

type testClock struct{ ns atomic.Int64 }

func newClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// storeSuite is the conformance suite that every MarkerStore passes.
func storeSuite(t *testing.T, newStore func(t *testing.T, now func() time.Time) confirm.MarkerStore) {
	ctx := context.Background()
	k := confirm.Key{UserPoolID: "us-east-1_P", User: "sub-1", Hook: "welcome"}
	lease, keep := 30*time.Second, time.Hour

	t.Run("claim, busy, finish, done, expire", func(t *testing.T) {
		clock := newClock()
		s := newStore(t, clock.Now)
		mustClaim(t, s, k, "a", lease, confirm.Claimed)
		mustClaim(t, s, k, "b", lease, confirm.Busy)
		mustClaim(t, s, k, "a", lease, confirm.Busy) // a claim is not re-entrant
		if err := s.Finish(ctx, k, "b", keep); !errors.Is(err, confirm.ErrLostClaim) {
			t.Fatalf("Finish by a non-owner: %v", err)
		}
		if err := s.Finish(ctx, k, "a", keep); err != nil {
			t.Fatal(err)
		}
		mustClaim(t, s, k, "c", lease, confirm.AlreadyDone)
		if err := s.Finish(ctx, k, "a", keep); !errors.Is(err, confirm.ErrLostClaim) {
			t.Fatalf("second Finish: %v", err)
		}
		if err := s.Release(ctx, k, "a"); err != nil { // releasing a done marker does nothing
			t.Fatal(err)
		}
		mustClaim(t, s, k, "c", lease, confirm.AlreadyDone)
		clock.Advance(keep - time.Second)
		mustClaim(t, s, k, "c", lease, confirm.AlreadyDone)
		clock.Advance(time.Second) // the done marker has expired
		mustClaim(t, s, k, "c", lease, confirm.Claimed)
	})

	t.Run("an abandoned claim is taken over after its lease", func(t *testing.T) {
		clock := newClock()
		s := newStore(t, clock.Now)
		mustClaim(t, s, k, "dead", lease, confirm.Claimed)
		clock.Advance(lease - time.Second)
		mustClaim(t, s, k, "b", lease, confirm.Busy)
		clock.Advance(time.Second)
		mustClaim(t, s, k, "b", lease, confirm.Claimed)
		if err := s.Finish(ctx, k, "dead", keep); !errors.Is(err, confirm.ErrLostClaim) {
			t.Fatalf("Finish by the old owner: %v", err)
		}
		if err := s.Finish(ctx, k, "b", keep); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("release lets the next attempt claim", func(t *testing.T) {
		s := newStore(t, newClock().Now)
		mustClaim(t, s, k, "a", lease, confirm.Claimed)
		if err := s.Release(ctx, k, "b"); err != nil { // not the owner: no effect
			t.Fatal(err)
		}
		mustClaim(t, s, k, "b", lease, confirm.Busy)
		if err := s.Release(ctx, k, "a"); err != nil {
			t.Fatal(err)
		}
		mustClaim(t, s, k, "b", lease, confirm.Claimed)
		if err := s.Release(ctx, confirm.Key{UserPoolID: "p", User: "never", Hook: "h"}, "x"); err != nil {
			t.Fatalf("releasing an absent marker: %v", err)
		}
	})

	t.Run("keys are separate", func(t *testing.T) {
		s := newStore(t, newClock().Now)
		for _, key := range []confirm.Key{k, {UserPoolID: k.UserPoolID, User: "sub-2", Hook: k.Hook},
			{UserPoolID: k.UserPoolID, User: k.User, Hook: "membership"}, {UserPoolID: "us-east-1_Q", User: k.User, Hook: k.Hook},
			{UserPoolID: k.UserPoolID, User: "x#welcome#sub-1", Hook: "h"}} {
			mustClaim(t, s, key, "a", lease, confirm.Claimed)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		s := newStore(t, newClock().Now)
		for _, bad := range []confirm.Key{{User: "u", Hook: "h"}, {UserPoolID: "p", Hook: "h"}, {UserPoolID: "p", User: "u"}} {
			if _, err := s.Begin(ctx, bad, "a", lease); err == nil {
				t.Errorf("Begin(%+v) accepted", bad)
			}
			if err := s.Finish(ctx, bad, "a", keep); err == nil {
				t.Errorf("Finish(%+v) accepted", bad)
			}
			if err := s.Release(ctx, bad, "a"); err == nil {
				t.Errorf("Release(%+v) accepted", bad)
			}
		}
		if _, err := s.Begin(ctx, k, "", lease); err == nil {
			t.Error("empty owner accepted")
		}
		if _, err := s.Begin(ctx, k, "a", 0); err == nil {
			t.Error("zero lease accepted")
		}
		if err := s.Finish(ctx, k, "a", 0); err == nil {
			t.Error("zero keep accepted")
		}
	})

	t.Run("racing claims: exactly one wins", func(t *testing.T) {
		s := newStore(t, newClock().Now)
		const n = 25
		var claimed, busy atomic.Int32
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				c, err := s.Begin(ctx, k, "owner-"+string(rune('a'+i)), lease)
				switch {
				case err != nil:
					t.Error(err)
				case c == confirm.Claimed:
					claimed.Add(1)
				case c == confirm.Busy:
					busy.Add(1)
				}
			})
		}
		wg.Wait()
		if claimed.Load() != 1 || busy.Load() != n-1 {
			t.Fatalf("%d claimed, %d busy", claimed.Load(), busy.Load())
		}
	})
}

func mustClaim(t *testing.T, s confirm.MarkerStore, k confirm.Key, owner string, lease time.Duration, want confirm.Claim) {
	t.Helper()
	got, err := s.Begin(context.Background(), k, owner, lease)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("Begin(%v, %s) = %s, want %s", k, owner, got, want)
	}
}

func TestMemoryStore(t *testing.T) {
	storeSuite(t, func(_ *testing.T, now func() time.Time) confirm.MarkerStore { return confirm.NewMemoryStore(now) })
}

// newDynamoStore makes a table and returns a store on it.
func newDynamoStore(t *testing.T, now func() time.Time) *confirm.DynamoStore {
	t.Helper()
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, confirm.TableDefinition("markers"))
	s, err := confirm.NewDynamoStore(client, table, now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDynamoStore(t *testing.T) {
	dynamotest.Client(t) // skip early without a server
	storeSuite(t, func(t *testing.T, now func() time.Time) confirm.MarkerStore { return newDynamoStore(t, now) })
	if _, err := confirm.NewDynamoStore(nil, "t", nil); err == nil {
		t.Fatal("NewDynamoStore without client accepted")
	}
}

// ---- Runner ----

type outbox struct {
	mu    sync.Mutex
	sent  []messages.Email
	fails int // fail this many sends first
	delay time.Duration
}

func (o *outbox) SendEmail(ctx context.Context, e messages.Email) error {
	time.Sleep(o.delay)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fails > 0 {
		o.fails--
		return errors.New("SES throttled")
	}
	o.sent = append(o.sent, e)
	return nil
}

func (o *outbox) count() int { o.mu.Lock(); defer o.mu.Unlock(); return len(o.sent) }

type members struct {
	mu    sync.Mutex
	added []string
}

func (m *members) AddMember(_ context.Context, tenant, sub, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.added = append(m.added, tenant+"/"+sub+"/"+user)
	return nil
}

func newRunner(t *testing.T, store confirm.MarkerStore, box *outbox, m *members, logs *bytes.Buffer) *triggers.Router {
	t.Helper()
	welcome, err := confirm.WelcomeEmail("welcome", box, confirm.WelcomeTemplate{
		Subject: "Welcome, {{.Attributes.name}}",
		HTML:    "<p>Hello {{.UserName}}</p>",
	})
	if err != nil {
		t.Fatal(err)
	}
	membership, err := confirm.Membership("membership", m, "custom:tenant_id")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	runner, err := confirm.New(confirm.Config{Store: store, Logger: logger,
		Hooks: []confirm.Hook{welcome, membership}})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	r.PostConfirmation(runner.PostConfirmation)
	return r
}

func confirmEvent(t *testing.T) []byte {
	return triggertest.From(t, "PostConfirmation_ConfirmSignUp").UserAttribute("custom:tenant_id", "acme").JSON(t)
}

// TestReplayDoesNotSendTwice is the must-show: the same
// post-confirmation event delivered again does nothing twice.
func TestReplayDoesNotSendTwice(t *testing.T) {
	stores := map[string]func(t *testing.T) confirm.MarkerStore{
		"memory": func(*testing.T) confirm.MarkerStore { return confirm.NewMemoryStore(nil) },
		"dynamo": func(t *testing.T) confirm.MarkerStore { return newDynamoStore(t, nil) },
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			box, m := &outbox{}, &members{}
			var logs bytes.Buffer
			r := newRunner(t, mk(t), box, m, &logs)
			for range 3 {
				if _, err := triggertest.Invoke(r, confirmEvent(t), 0); err != nil {
					t.Fatal(err)
				}
			}
			if box.count() != 1 || len(m.added) != 1 {
				t.Fatalf("sent %d emails, added %d memberships; want 1 and 1", box.count(), len(m.added))
			}
			if e := box.sent[0]; e.To != "jdoe@example.com" || e.Subject != "Welcome, Jane Doe" || e.HTML != "<p>Hello jdoe</p>" {
				t.Fatalf("email: %+v %q", e, e.HTML)
			}
			if m.added[0] != "acme/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111/jdoe" {
				t.Fatalf("membership: %v", m.added)
			}
			if !strings.Contains(logs.String(), "post-confirmation hook skipped") {
				t.Fatalf("skips not logged: %s", logs.String())
			}
			// A password reset also fires post confirmation: not a new user.
			if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostConfirmation_ConfirmForgotPassword"), 0); err != nil {
				t.Fatal(err)
			}
			if box.count() != 1 {
				t.Fatal("a password reset sent a welcome email")
			}
		})
	}
}

func TestConcurrentDeliveriesRunOnce(t *testing.T) {
	stores := map[string]func(t *testing.T) confirm.MarkerStore{
		"memory": func(*testing.T) confirm.MarkerStore { return confirm.NewMemoryStore(nil) },
		"dynamo": func(t *testing.T) confirm.MarkerStore { return newDynamoStore(t, nil) },
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			box, m := &outbox{delay: 20 * time.Millisecond}, &members{}
			var logs bytes.Buffer
			r := newRunner(t, mk(t), box, m, &logs)
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					if _, err := triggertest.Invoke(r, confirmEvent(t), 0); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if box.count() != 1 || len(m.added) != 1 {
				t.Fatalf("sent %d, added %d", box.count(), len(m.added))
			}
		})
	}
}

func TestFailedHookRunsAgainOnRetry(t *testing.T) {
	box, m := &outbox{fails: 1}, &members{}
	var logs bytes.Buffer
	r := newRunner(t, confirm.NewMemoryStore(nil), box, m, &logs)
	_, err := triggertest.Invoke(r, confirmEvent(t), 0)
	if err == nil || !strings.Contains(triggertest.Cause(err), "hook welcome: SES throttled") {
		t.Fatalf("first delivery: %v", err)
	}
	if box.count() != 0 || len(m.added) != 1 {
		t.Fatalf("after failure: sent %d, added %d", box.count(), len(m.added))
	}
	if _, err := triggertest.Invoke(r, confirmEvent(t), 0); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if box.count() != 1 || len(m.added) != 1 {
		t.Fatalf("after retry: sent %d, added %d (membership must not repeat)", box.count(), len(m.added))
	}
	if strings.Contains(logs.String(), "jdoe@example.com") {
		t.Fatal("the email address reached the log")
	}
}

func TestAbandonedClaimWaitsForItsLease(t *testing.T) {
	clock := newClock()
	store := confirm.NewMemoryStore(clock.Now)
	box, m := &outbox{}, &members{}
	var logs bytes.Buffer
	r := newRunner(t, store, box, m, &logs)
	// A first attempt claimed the welcome hook and its Lambda was killed.
	k := confirm.Key{UserPoolID: "us-east-1_EXAMPLE1", User: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", Hook: "welcome"}
	if c, err := store.Begin(context.Background(), k, "killed", 30*time.Second); err != nil || c != confirm.Claimed {
		t.Fatal(c, err)
	}
	if _, err := triggertest.Invoke(r, confirmEvent(t), 0); err != nil {
		t.Fatal(err)
	}
	if box.count() != 0 {
		t.Fatal("ran a hook another attempt holds")
	}
	clock.Advance(31 * time.Second)
	if _, err := triggertest.Invoke(r, confirmEvent(t), 0); err != nil {
		t.Fatal(err)
	}
	if box.count() != 1 {
		t.Fatalf("sent %d after the lease", box.count())
	}
}

func TestRunnerEdges(t *testing.T) {
	store := confirm.NewMemoryStore(nil)
	noop := func(context.Context, *triggers.PostConfirmationEvent) error { return nil }
	for _, cfg := range []confirm.Config{
		{Hooks: []confirm.Hook{{Name: "a", Run: noop}}},
		{Store: store},
		{Store: store, Hooks: []confirm.Hook{{Name: "", Run: noop}}},
		{Store: store, Hooks: []confirm.Hook{{Name: "a#b", Run: noop}}},
		{Store: store, Hooks: []confirm.Hook{{Name: "a", Run: noop}, {Name: "a", Run: noop}}},
		{Store: store, Hooks: []confirm.Hook{{Name: "a"}}},
	} {
		if _, err := confirm.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	// Without sub, the user name keys the marker; with ForgotPassword in
	// Sources, resets run the hook too.
	runs := 0
	runner, err := confirm.New(confirm.Config{Store: store, Hooks: []confirm.Hook{{Name: "count",
		Sources: []triggers.TriggerSource{triggers.PostConfirmationConfirmForgotPassword},
		Run:     func(context.Context, *triggers.PostConfirmationEvent) error { runs++; return nil }}}})
	if err != nil {
		t.Fatal(err)
	}
	ev := triggertest.Decode[triggers.PostConfirmationEvent](t, "PostConfirmation_ConfirmForgotPassword")
	delete(ev.Request.UserAttributes, "sub")
	for range 2 {
		if err := runner.PostConfirmation(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Fatalf("ran %d times", runs)
	}
	if c, _ := store.Begin(context.Background(), confirm.Key{UserPoolID: ev.UserPoolID, User: ev.UserName, Hook: "count"}, "x", time.Second); c != confirm.AlreadyDone {
		t.Fatalf("marker keyed by user name: %s", c)
	}
	ev.UserPoolID = ""
	if err := runner.PostConfirmation(context.Background(), ev); err == nil {
		t.Fatal("event without pool accepted")
	}
}

func TestWelcomeEmailEdges(t *testing.T) {
	box := &outbox{}
	for _, tmpl := range []confirm.WelcomeTemplate{
		{Subject: "{{.Nope", HTML: "x"},
		{Subject: "x", HTML: "{{.Nope"},
		{Subject: "x", HTML: "{{.Nope.Deeper}}"},
		{HTML: "x"},
	} {
		if _, err := confirm.WelcomeEmail("w", box, tmpl); err == nil {
			t.Errorf("WelcomeEmail(%+v) accepted", tmpl)
		}
	}
	if _, err := confirm.WelcomeEmail("w", nil, confirm.WelcomeTemplate{Subject: "s", HTML: "h"}); err == nil {
		t.Error("nil sender accepted")
	}
	h, err := confirm.WelcomeEmail("w", box, confirm.WelcomeTemplate{Subject: "s", HTML: "h"})
	if err != nil {
		t.Fatal(err)
	}
	ev := triggertest.Decode[triggers.PostConfirmationEvent](t, "PostConfirmation_ConfirmSignUp")
	delete(ev.Request.UserAttributes, "email")
	if err := h.Run(context.Background(), ev); err != nil || box.count() != 0 {
		t.Fatalf("no email attribute: %v, %d sent", err, box.count())
	}
}

func TestEmailHook(t *testing.T) {
	box := &outbox{}
	compose := func(ev *triggers.PostConfirmationEvent) (messages.Email, error) {
		if ev.Request.UserAttributes["given_name"] == "fail" {
			return messages.Email{}, errors.New("no template for that")
		}
		// To is the hook's to set; a compose function cannot redirect it.
		return messages.Email{To: "elsewhere@example.net", Subject: "Hi " + ev.UserName, HTML: "<p>hi</p>"}, nil
	}
	h, err := confirm.EmailHook("hello", box, compose)
	if err != nil || h.Name != "hello" {
		t.Fatal(h.Name, err)
	}
	ev := triggertest.Decode[triggers.PostConfirmationEvent](t, "PostConfirmation_ConfirmSignUp")
	if err := h.Run(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if box.count() != 1 || box.sent[0].To != ev.Request.UserAttributes["email"] || box.sent[0].Subject != "Hi "+ev.UserName {
		t.Fatalf("sent %+v", box.sent)
	}

	ev.Request.UserAttributes["given_name"] = "fail"
	if err := h.Run(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "no template for that") || box.count() != 1 {
		t.Fatalf("compose error: %v, %d sent", err, box.count())
	}
	delete(ev.Request.UserAttributes, "email")
	if err := h.Run(context.Background(), ev); err != nil || box.count() != 1 {
		t.Fatalf("no email attribute: %v, %d sent", err, box.count())
	}
	if _, err := confirm.EmailHook("x", nil, compose); err == nil {
		t.Error("nil sender accepted")
	}
	if _, err := confirm.EmailHook("x", box, nil); err == nil {
		t.Error("nil compose accepted")
	}
}
