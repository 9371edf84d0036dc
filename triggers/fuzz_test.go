package triggers_test

import (
	"encoding/json"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// FuzzInvoke feeds arbitrary payloads, seeded with every recorded event,
// through a router with a handler for every trigger, and through Inspect.
// Neither may panic; a successful invocation must return a JSON event that
// decodes again to the same trigger source.
func FuzzInvoke(f *testing.F) {
	for _, name := range triggertest.Names() {
		f.Add(triggertest.Load(f, name))
	}
	var got triggers.Trigger
	r := recordingRouter(&got, triggers.WithoutResponseChecks())
	f.Fuzz(func(t *testing.T, payload []byte) {
		in := triggers.Inspect(payload)
		out, err := triggertest.Invoke(r, payload, 0)
		if err != nil {
			return
		}
		if in.Err != nil {
			t.Fatalf("Invoke accepted an event that Inspect rejects: %v", in.Err)
		}
		var back struct {
			TriggerSource triggers.TriggerSource `json:"triggerSource"`
		}
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("output is not JSON: %v", err)
		}
		if back.TriggerSource != in.TriggerSource {
			t.Fatalf("output triggerSource %q, input %q", back.TriggerSource, in.TriggerSource)
		}
	})
}
