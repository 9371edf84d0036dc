package triggertest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/cognitrig/cognitrig/triggers"
)

// TypeError reports that a test asked for an event type that is not the
// type of the event's trigger: Replay[triggers.PreSignUpEvent] of a post
// confirmation event would decode the fields the types share and leave the
// rest empty, and the test would check nothing.
type TypeError struct {
	Name   string // the recorded event's name, or "payload"
	Source triggers.TriggerSource
	Want   reflect.Type // the trigger's event type, e.g. *triggers.PostConfirmationEvent
	Got    reflect.Type // the type asked for
}

func (e *TypeError) Error() string {
	want := strings.TrimPrefix(e.Want.String(), "*")
	return fmt.Sprintf("triggertest: %s is a %s event of type %s, not %s; use [%s]",
		e.Name, e.Source, want, strings.TrimPrefix(e.Got.String(), "*"), want)
}

// CheckType returns a *TypeError when E is a cognitrig event type (one
// that implements triggers.Event) other than the type that the router
// decodes payload's trigger into (triggers.Classify, triggers.NewEvent).
// Replay, Run, Decode and Event call it. A type of one's own that is not a
// triggers.Event, such as a struct with only the fields a tool needs, is a
// deliberate view and passes, as does a payload without a known trigger
// (the invocation or decoding reports that).
func CheckType[E any](name string, payload []byte) error {
	if _, ok := any(new(E)).(triggers.Event); !ok {
		return nil
	}
	var h struct {
		TriggerSource triggers.TriggerSource `json:"triggerSource"`
		Version       string                 `json:"version"`
	}
	if err := json.Unmarshal(payload, &h); err != nil {
		return nil
	}
	t, err := triggers.Classify(h.TriggerSource, h.Version)
	if err != nil {
		return nil
	}
	want, got := reflect.TypeOf(triggers.NewEvent(t)), reflect.TypeFor[*E]()
	if want == got {
		return nil
	}
	return &TypeError{Name: name, Source: h.TriggerSource, Want: want, Got: got}
}
