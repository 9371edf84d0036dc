package triggertest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// fakeT records failures; Fatal ends the calling goroutine as testing.T's
// does. Use it through run.
type fakeT struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	msgs   []string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }
func (f *fakeT) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}
func (f *fakeT) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

// run calls fn with a fakeT and reports whether it failed, and why.
func run(fn func(t testing.TB)) (failed bool, msg string) {
	f := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.failed, strings.Join(f.msgs, "\n")
}

func allHandlers(calls *int) *triggers.Router {
	r := triggers.NewRouter(triggers.PassThroughUnhandled())
	r.PostConfirmation(func(context.Context, *triggers.PostConfirmationEvent) error { *calls++; return nil })
	r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { *calls++; return nil })
	r.PreTokenGenerationV1(func(context.Context, *triggers.PreTokenGenerationV1Event) error { *calls++; return nil })
	r.PreTokenGenerationV2(func(context.Context, *triggers.PreTokenGenerationV2Event) error { *calls++; return nil })
	return r
}

// TestReplayTypeMismatch: asking for another trigger's event type fails
// the test, before the handler runs, naming the right type; before this
// check such a test passed with an event whose fields were all empty.
func TestReplayTypeMismatch(t *testing.T) {
	var calls int
	r := allHandlers(&calls)
	cases := []struct {
		name  string
		fn    func(t testing.TB)
		wants string
	}{
		{"Replay", func(t testing.TB) {
			triggertest.Replay[triggers.PreSignUpEvent](t, r, "PostConfirmation_ConfirmSignUp")
		}, "triggers.PostConfirmationEvent"},
		{"Replay by version", func(t testing.TB) {
			triggertest.Replay[triggers.PreTokenGenerationV2Event](t, r, "TokenGeneration_Authentication.v1")
		}, "triggers.PreTokenGenerationV1Event"},
		{"Run", func(t testing.TB) {
			triggertest.Run[triggers.PostConfirmationEvent](t, r, triggertest.Load(t, "PreSignUp_SignUp"))
		}, "triggers.PreSignUpEvent"},
		{"Decode", func(t testing.TB) {
			triggertest.Decode[triggers.CustomMessageEvent](t, "CustomEmailSender_SignUp")
		}, "triggers.CustomSenderEvent"},
	}
	for _, c := range cases {
		failed, msg := run(c.fn)
		if !failed || !strings.Contains(msg, c.wants) {
			t.Errorf("%s: failed=%v %q; want a failure naming %s", c.name, failed, msg, c.wants)
		}
	}
	if calls != 0 {
		t.Errorf("the handler ran %d times for mismatched types", calls)
	}

	_, err := triggertest.Event[triggers.PreAuthenticationEvent]("PostAuthentication_Authentication")
	var te *triggertest.TypeError
	if !errors.As(err, &te) || te.Source != "PostAuthentication_Authentication" {
		t.Errorf("Event with the wrong type: %v", err)
	}

	// The right types pass, and so does a view of one's own.
	failed, msg := run(func(t testing.TB) {
		triggertest.Replay[triggers.PostConfirmationEvent](t, r, "PostConfirmation_ConfirmSignUp")
		triggertest.Replay[triggers.PreTokenGenerationV1Event](t, r, "TokenGeneration_Authentication.v1")
		triggertest.Replay[triggers.PreTokenGenerationV2Event](t, r, "TokenGeneration_Authentication.v2")
		triggertest.Decode[triggers.CustomSenderEvent](t, "CustomSMSSender_SignUp")
		triggertest.Replay[struct{ TriggerSource string }](t, r, "PreSignUp_SignUp")
	})
	if failed {
		t.Errorf("matching types failed: %s", msg)
	}
}

// Every recorded event decodes into the type its trigger has.
func TestCheckTypeAcceptsEveryRecordedEvent(t *testing.T) {
	for _, name := range triggertest.Names() {
		payload := triggertest.Load(t, name)
		tr := triggertest.TriggerOf(t, payload)
		if err := checkFor(triggers.NewEvent(tr), name, payload); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		// And a wrong type fails: PreSignUpEvent for everything else,
		// PostConfirmationEvent for pre sign-up.
		wrong := triggertest.CheckType[triggers.PreSignUpEvent](name, payload)
		if tr == triggers.PreSignUp {
			wrong = triggertest.CheckType[triggers.PostConfirmationEvent](name, payload)
		}
		if wrong == nil {
			t.Errorf("%s: a wrong type passed", name)
		}
	}
}

// checkFor calls CheckType with the static type of ev.
func checkFor(ev triggers.Event, name string, payload []byte) error {
	switch ev.(type) {
	case *triggers.PreSignUpEvent:
		return triggertest.CheckType[triggers.PreSignUpEvent](name, payload)
	case *triggers.PostConfirmationEvent:
		return triggertest.CheckType[triggers.PostConfirmationEvent](name, payload)
	case *triggers.PreAuthenticationEvent:
		return triggertest.CheckType[triggers.PreAuthenticationEvent](name, payload)
	case *triggers.PostAuthenticationEvent:
		return triggertest.CheckType[triggers.PostAuthenticationEvent](name, payload)
	case *triggers.DefineAuthChallengeEvent:
		return triggertest.CheckType[triggers.DefineAuthChallengeEvent](name, payload)
	case *triggers.CreateAuthChallengeEvent:
		return triggertest.CheckType[triggers.CreateAuthChallengeEvent](name, payload)
	case *triggers.VerifyAuthChallengeResponseEvent:
		return triggertest.CheckType[triggers.VerifyAuthChallengeResponseEvent](name, payload)
	case *triggers.PreTokenGenerationV1Event:
		return triggertest.CheckType[triggers.PreTokenGenerationV1Event](name, payload)
	case *triggers.PreTokenGenerationV2Event:
		return triggertest.CheckType[triggers.PreTokenGenerationV2Event](name, payload)
	case *triggers.UserMigrationEvent:
		return triggertest.CheckType[triggers.UserMigrationEvent](name, payload)
	case *triggers.CustomMessageEvent:
		return triggertest.CheckType[triggers.CustomMessageEvent](name, payload)
	case *triggers.CustomSenderEvent:
		return triggertest.CheckType[triggers.CustomSenderEvent](name, payload)
	case *triggers.InboundFederationEvent:
		return triggertest.CheckType[triggers.InboundFederationEvent](name, payload)
	}
	return fmt.Errorf("no case for %T", ev)
}
