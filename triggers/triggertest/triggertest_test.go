package triggertest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestBuilder(t *testing.T) {
	out := triggertest.From(t, "DefineAuthChallenge_Authentication.after-password").
		Set("request.session.1.challengeResult", false).
		Append("request.session", map[string]any{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true}).
		UserAttribute("locale", "de").
		ClientMetadata("channel", "sms").
		Delete("request.userAttributes.phone_number").
		Source("DefineAuthChallenge_Authentication").
		JSON(t)
	var ev struct {
		Request struct {
			Session []struct {
				ChallengeName   string
				ChallengeResult bool
			}
			UserAttributes map[string]string
			ClientMetadata map[string]string
		}
	}
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	s := ev.Request.Session
	if len(s) != 3 || s[1].ChallengeResult || s[2].ChallengeName != "CUSTOM_CHALLENGE" {
		t.Errorf("session = %+v", s)
	}
	if ev.Request.UserAttributes["locale"] != "de" || ev.Request.ClientMetadata["channel"] != "sms" {
		t.Errorf("request = %+v", ev.Request)
	}
	if _, ok := ev.Request.UserAttributes["phone_number"]; ok {
		t.Error("Delete did not delete")
	}
}

func TestBuilderErrors(t *testing.T) {
	b, err := triggertest.FromRaw("PreSignUp_SignUp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Set("request.userAttributes.email.deeper", "x").Bytes(); err == nil {
		t.Error("setting below a string should fail")
	}
	b, _ = triggertest.FromRaw("DefineAuthChallenge_Authentication")
	if _, err := b.Set("request.session.5.challengeResult", true).Bytes(); err == nil || !strings.Contains(err.Error(), "no element") {
		t.Errorf("out-of-range index: %v", err)
	}
	if _, err := triggertest.FromRaw("NoSuchEvent"); err == nil {
		t.Error("unknown name")
	}
	if _, err := triggertest.NewBuilder([]byte("[1]")); err == nil {
		t.Error("non-object")
	}
}

func TestNamesAreRawable(t *testing.T) {
	for _, n := range triggertest.Names() {
		if _, err := triggertest.Raw(n); err != nil {
			t.Error(err)
		}
	}
}

// Vary a recorded event without a testing.TB, e.g. in a godoc Example.
func ExampleFromRaw() {
	b, _ := triggertest.FromRaw("PreSignUp_SignUp")
	payload, _ := b.UserAttribute("email", "new.user@example.org").Bytes()
	fmt.Println(strings.Contains(string(payload), "new.user@example.org"))
	// Output: true
}

func TestEvent(t *testing.T) {
	ev, err := triggertest.Event[struct {
		TriggerSource string `json:"triggerSource"`
		UserName      string `json:"userName"`
	}]("PreSignUp_SignUp")
	if err != nil || ev.TriggerSource != "PreSignUp_SignUp" || ev.UserName == "" {
		t.Fatalf("Event = %+v, %v", ev, err)
	}
	if _, err := triggertest.Event[struct{}]("NoSuch_Event"); err == nil || !strings.Contains(err.Error(), "NoSuch_Event") {
		t.Errorf("unknown event: %v", err)
	}
	// A recorded event that does not fit the type is an error, not a panic.
	if _, err := triggertest.Event[struct {
		Request []string `json:"request"`
	}]("PreSignUp_SignUp"); err == nil {
		t.Error("an object decoded into a slice")
	}
}
