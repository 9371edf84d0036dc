package triggers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzScanHeader checks that the fast header scan agrees with encoding/json
// on every input it accepts: dispatch must never see a different trigger
// source than the full decode. It also checks the event decoder against
// encoding/json (same value wherever encoding/json decodes) and that a
// router with no-op handlers answers with the bytes it received.
func FuzzScanHeader(f *testing.F) {
	cs := codecs()
	noop := newNoopRouter()
	files, _ := filepath.Glob("triggertest/testdata/events/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"triggerSource":"a","TRIGGERSOURCE":"b"}`,
		`{"trigger\u0053ource":"x"}`,
		`{"request":{"triggerSource":"nested"},"triggerSource":"top"}`,
		`{"version":"1" , "triggerSource" : "PreSignUp_SignUp" }`,
		`{"a":[1,{"b":"}"}],"triggerSource":"s"}`,
		`{}`, `[]`, `"x"`, `{"triggerSource":"x"} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		agreeWithEncodingJSON(t, &cs, b)
		top, sure := scanTop(b)
		if same, ok := noopAnswer(t, noop, b); ok && sure && top.spliceable() && !same {
			t.Fatalf("a no-op router changed the event")
		}
		h, ok := scanHeader(b)
		if !ok {
			return
		}
		var want header
		if err := json.Unmarshal(b, &want); err != nil {
			// The scan does not validate nested values; the full decode
			// does and then fails the event. Only the top level matters.
			return
		}
		if h != want {
			t.Fatalf("scan = %+v, encoding/json = %+v", h, want)
		}
	})
}

func TestScanHeaderAgreesOnTrickyInputs(t *testing.T) {
	cases := map[string]header{
		`{"triggerSource":"a","TRIGGERSOURCE":"b","version":"2"}`:       {TriggerSource: "b", Version: "2"},
		`{"request":{"triggerSource":"nested"},"triggerSource":"top"}`:  {TriggerSource: "top"},
		`{"a":[1,{"b":"}\"]"}],"triggerSource":"s"}`:                    {TriggerSource: "s"},
		` { "version" : "3" , "triggerSource" : "TokenGeneration_X" } `: {TriggerSource: "TokenGeneration_X", Version: "3"},
	}
	for in, want := range cases {
		h, ok := scanHeader([]byte(in))
		if !ok || h != want {
			t.Errorf("scanHeader(%s) = %+v, %v; want %+v", in, h, ok, want)
		}
		var viaJSON header
		if err := json.Unmarshal([]byte(in), &viaJSON); err != nil || viaJSON != want {
			t.Errorf("encoding/json disagrees with the expectation for %s: %+v %v", in, viaJSON, err)
		}
	}
	for _, in := range []string{`{"trigger\u0053ource":"x"}`, `{"triggerSource":1}`, `[]`, `{"triggerSource":"x"} trailing`, `{"a":}`} {
		if _, ok := scanHeader([]byte(in)); ok {
			t.Errorf("scanHeader(%s) claimed certainty; it must defer to encoding/json", in)
		}
	}
}
