package idempotency_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/idempotency"
	"github.com/cognitrig/cognitrig/triggers/tracing"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// sideEffects is a router whose post-confirmation, post-authentication
// and custom email sender handlers count their runs, behind the Deadline
// middleware and the idempotency guard.
type sideEffects struct {
	router  *triggers.Router
	metrics bytes.Buffer
	runs    atomic.Int32
	fail    atomic.Bool   // the next runs fail
	hold    time.Duration // each run takes this long
}

func newSideEffects(t *testing.T, store idempotency.Store, hold time.Duration) *sideEffects {
	t.Helper()
	s := &sideEffects{hold: hold}
	guard, err := idempotency.New(idempotency.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	s.router = triggers.NewRouter(triggers.WithMiddleware(
		triggers.Metrics(&s.metrics, "test"), triggers.Deadline(triggers.DefaultDeadlineMargin), guard))
	run := func(ctx context.Context) error {
		s.runs.Add(1)
		select {
		case <-time.After(s.hold):
		case <-ctx.Done():
			return ctx.Err()
		}
		if s.fail.Load() {
			return errors.New("the side effect failed")
		}
		return nil
	}
	s.router.PostConfirmation(func(ctx context.Context, _ *triggers.PostConfirmationEvent) error { return run(ctx) })
	s.router.PostAuthentication(func(ctx context.Context, _ *triggers.PostAuthenticationEvent) error { return run(ctx) })
	s.router.CustomEmailSender(func(ctx context.Context, _ *triggers.CustomSenderEvent) error { return run(ctx) })
	s.router.PreSignUp(func(ctx context.Context, _ *triggers.PreSignUpEvent) error { return run(ctx) })
	return s
}

func testRetries(t *testing.T, store idempotency.Store) {
	s := newSideEffects(t, store, 0)
	confirm := triggertest.Load(t, "PostConfirmation_ConfirmSignUp")
	invoke := func(payload []byte) error {
		_, err := triggertest.Invoke(s.router, payload, 0)
		return err
	}

	// Cognito's retry of a handled event: the side effect ran once.
	for range 3 {
		if err := invoke(confirm); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.runs.Load(); n != 1 {
		t.Fatalf("post confirmation ran %d times for one event and two retries", n)
	}
	if !strings.Contains(s.metrics.String(), `"IdempotentReplays":1`) {
		t.Errorf("replays not counted: %s", s.metrics.String())
	}

	// A failed attempt is retried for real.
	s.runs.Store(0)
	signIn := triggertest.Load(t, "PostAuthentication_Authentication")
	s.fail.Store(true)
	if err := invoke(signIn); err == nil {
		t.Fatal("the failure was swallowed")
	}
	s.fail.Store(false)
	if err := invoke(signIn); err != nil {
		t.Fatal(err)
	}
	if err := invoke(signIn); err != nil {
		t.Fatal(err)
	}
	if n := s.runs.Load(); n != 2 {
		t.Fatalf("post authentication ran %d times (fail, retry, duplicate); want 2", n)
	}

	// Another message (a new encrypted code) is another event; the same
	// one again is Lambda's retry.
	s.runs.Store(0)
	send := triggertest.Load(t, "CustomEmailSender_SignUp")
	resend := triggertest.From(t, "CustomEmailSender_SignUp").Set("request.code", "AYADeBgAK-SECRET-another-ciphertext").JSON(t)
	for _, p := range [][]byte{send, send, resend, resend} {
		if err := invoke(p); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.runs.Load(); n != 2 {
		t.Fatalf("the sender ran %d times for two messages, each retried once; want 2", n)
	}

	// Other triggers are not guarded.
	s.runs.Store(0)
	for range 2 {
		if err := invoke(triggertest.Load(t, "PreSignUp_SignUp")); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.runs.Load(); n != 2 {
		t.Fatalf("pre sign-up ran %d times; it is not guarded, want 2", n)
	}
}

// testConcurrentDuplicates sends one event n times at once, as a Cognito
// retry may arrive while the first attempt still runs: the side effect runs
// once, and every duplicate answers success after waiting for it.
func testConcurrentDuplicates(t *testing.T, store idempotency.Store) {
	const n = 6
	s := newSideEffects(t, store, 150*time.Millisecond)
	payload := triggertest.Load(t, "PostConfirmation_ConfirmSignUp")
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = triggertest.Invoke(s.router, payload, 0)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("duplicate %d: %v", i, err)
		}
	}
	if runs := s.runs.Load(); runs != 1 {
		t.Fatalf("%d concurrent duplicates ran the side effect %d times; want once", n, runs)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("duplicates took %v to settle", d)
	}
	if !strings.Contains(s.metrics.String(), `"IdempotentInProgress":1`) {
		t.Errorf("waiting duplicates not counted: %s", s.metrics.String())
	}
}

func TestRetriesMemory(t *testing.T) { testRetries(t, idempotency.NewMemoryStore(nil)) }
func TestRetriesDynamo(t *testing.T) { testRetries(t, dynamoStore(t, nil)) }
func TestConcurrentDuplicatesMemory(t *testing.T) {
	testConcurrentDuplicates(t, idempotency.NewMemoryStore(nil))
}
func TestConcurrentDuplicatesDynamo(t *testing.T) { testConcurrentDuplicates(t, dynamoStore(t, nil)) }

// A duplicate whose own deadline ends while the first attempt still runs
// gives up with ErrInProgress instead of running the side effect beside it.
func TestDuplicateGivesUpAtItsDeadline(t *testing.T) {
	s := newSideEffects(t, idempotency.NewMemoryStore(nil), 2*time.Second)
	payload := triggertest.Load(t, "PostConfirmation_ConfirmSignUp")
	first := make(chan error, 1)
	go func() {
		_, err := triggertest.Invoke(s.router, payload, 0)
		first <- err
	}()
	for s.runs.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	_, err := triggertest.Invoke(s.router, payload, 700*time.Millisecond)
	if !errors.Is(err, idempotency.ErrInProgress) {
		t.Fatalf("err = %v, want ErrInProgress", err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := s.runs.Load(); n != 1 {
		t.Errorf("ran %d times", n)
	}
}

type brokenStore struct{}

func (brokenStore) Begin(context.Context, string, string, time.Duration) (idempotency.Claim, error) {
	return 0, errors.New("table unreachable")
}
func (brokenStore) Finish(context.Context, string, string, time.Duration) error { return nil }
func (brokenStore) Release(context.Context, string, string) error               { return nil }

// An unreachable store does not fail the sign-in unless told to.
func TestStoreOutage(t *testing.T) {
	s := newSideEffects(t, brokenStore{}, 0)
	if _, err := triggertest.Invoke(s.router, triggertest.Load(t, "PostAuthentication_Authentication"), 0); err != nil {
		t.Fatalf("fail open: %v", err)
	}
	if s.runs.Load() != 1 {
		t.Error("the handler did not run")
	}
	guard, _ := idempotency.New(idempotency.Config{Store: brokenStore{}, FailClosed: true})
	r := triggers.NewRouter(triggers.WithMiddleware(guard))
	r.PostAuthentication(func(context.Context, *triggers.PostAuthenticationEvent) error { return nil })
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostAuthentication_Authentication"), 0); err == nil || !strings.Contains(triggertest.Cause(err), "table unreachable") {
		t.Errorf("fail closed: %v", err)
	}
	if _, err := idempotency.New(idempotency.Config{}); err == nil {
		t.Error("New without a store")
	}
	// A store constructor's result on error: not == nil, yet unusable.
	if _, err := idempotency.New(idempotency.Config{Store: (*idempotency.DynamoStore)(nil)}); err == nil || !strings.Contains(err.Error(), "Store is nil") {
		t.Errorf("New with a nil *DynamoStore: %v", err)
	}
}

func TestKey(t *testing.T) {
	a, ok := idempotency.Key(triggertest.Decode[triggers.PostConfirmationEvent](t, "PostConfirmation_ConfirmSignUp"))
	if !ok || !strings.HasPrefix(a, "us-east-1_") || !strings.Contains(a, "#PostConfirmation_ConfirmSignUp#") || !strings.HasSuffix(a, "#a1b2c3d4-5678-90ab-cdef-EXAMPLE11111") {
		t.Errorf("key = %q", a)
	}
	other := triggertest.From(t, "PostConfirmation_ConfirmSignUp").UserAttribute("name", "changed").JSON(t)
	var ev triggers.PostConfirmationEvent
	if err := jsonUnmarshal(other, &ev); err != nil {
		t.Fatal(err)
	}
	if b, _ := idempotency.Key(&ev); b == a {
		t.Error("a different request has the same key")
	}
	if strings.Contains(a, "SECRET") {
		t.Error("the key holds a request value")
	}
	if _, ok := idempotency.Key(triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_SignUp")); ok {
		t.Error("pre sign-up is keyed")
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// The store calls are child spans of the invocation's span.
func TestStoreCallsAreTraced(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	guard, err := idempotency.New(idempotency.Config{Store: idempotency.NewMemoryStore(nil)})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter(triggers.WithMiddleware(tracing.New(tracing.Config{TracerProvider: tp}), guard))
	r.PostConfirmation(func(context.Context, *triggers.PostConfirmationEvent) error { return nil })
	for range 2 {
		if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostConfirmation_ConfirmSignUp"), 0); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, s := range exp.GetSpans().Snapshots() {
		name := s.Name()
		for _, kv := range s.Attributes() {
			if kv.Key == "idempotency.claim" {
				name += "=" + kv.Value.AsString()
			}
		}
		got = append(got, name)
	}
	want := "idempotency.Begin=claimed idempotency.Finish PostConfirmation_ConfirmSignUp idempotency.Begin=done PostConfirmation_ConfirmSignUp"
	if strings.Join(got, " ") != want {
		t.Errorf("spans %v, want %s", got, want)
	}
}
