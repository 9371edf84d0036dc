package authpolicy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// cognitoPool is a local Cognito user-pool API (awsfake.Cognito) holding
// the recorded events' pool and their user jdoe.
func cognitoPool(t *testing.T) *awsfake.CognitoPool {
	t.Helper()
	pool := awsfake.NewCognitoPool(t)
	pool.AddUser(awsfake.CognitoUser{Username: "jdoe", Enabled: true})
	return pool
}

func postAuthRouter(t *testing.T, cfg authpolicy.PostAuthConfig) *triggers.Router {
	t.Helper()
	h, err := authpolicy.PostAuthentication(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter()
	r.PostAuthentication(h)
	return r
}

func TestPostAuthenticationAuditsEverySignIn(t *testing.T) {
	clock := newClock(t0)
	store := authpolicy.NewMemoryAuditStore(clock.Now)
	r := postAuthRouter(t, authpolicy.PostAuthConfig{
		Audit: store, Now: clock.Now, Retention: 24 * time.Hour,
		Signals: must(authpolicy.MergeSignals(authpolicy.ContextSignals(), authpolicy.MetadataSignals("ip", "deviceKey"))),
	})
	h := authpolicy.WithSourceIP(r)
	payload := triggertest.From(t, "PostAuthentication_Authentication").
		Set("request.userContextData.ipAddress", "203.0.113.9").
		ClientMetadata("ip", "198.51.100.1").ClientMetadata("deviceKey", "us-east-1_device-1").JSON(t)
	if _, err := triggertest.Invoke(h, payload, 0); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	plain := triggertest.From(t, "PostAuthentication_Authentication").Set("request.newDeviceUsed", false).JSON(t)
	if _, err := triggertest.Invoke(h, plain, 0); err != nil {
		t.Fatal(err)
	}
	got, err := store.Recent(context.Background(), "us-east-1_EXAMPLE1", "jdoe", 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("%d records, %v", len(got), err)
	}
	first := got[1]
	want := authpolicy.AuditRecord{UserPoolID: "us-east-1_EXAMPLE1", UserName: "jdoe", Sub: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
		ClientID: clientID, Time: t0, IP: "203.0.113.9", DeviceKey: "us-east-1_device-1", NewDevice: true, ExpiresAt: t0.Add(24 * time.Hour)}
	if first != want {
		t.Fatalf("record:\n got %+v\nwant %+v", first, want)
	}
	if got[0].IP != "" || got[0].NewDevice || !got[0].Time.Equal(t0.Add(time.Minute)) {
		t.Fatalf("second record: %+v", got[0])
	}
}

func TestPostAuthenticationRequiresMFAOnRisk(t *testing.T) {
	pool := cognitoPool(t)
	client := pool.Client()
	mfaCalls := func() []map[string]any { return pool.Requests("AdminSetUserMFAPreference") }
	store := authpolicy.NewMemoryAuditStore(nil)
	r := postAuthRouter(t, authpolicy.PostAuthConfig{
		Audit:   store,
		Signals: must(authpolicy.AuthEventSignals(client, 10*time.Minute)),
		MFA:     &authpolicy.RequireMFA{API: client, When: must(authpolicy.AnyOf(authpolicy.RiskAtLeast(authpolicy.RiskMedium)))},
	})
	event := func(verifiedPhone bool, emailVerified bool) []byte {
		b := triggertest.From(t, "PostAuthentication_Authentication").
			UserAttribute("phone_number_verified", fmt.Sprint(verifiedPhone)).
			UserAttribute("email_verified", fmt.Sprint(emailVerified))
		return b.JSON(t)
	}
	setRisk := func(level string, age time.Duration) {
		pool.SetAuthEvents("jdoe",
			map[string]any{"EventType": "SignIn", "EventResponse": "Fail", "CreationDate": float64(time.Now().Unix()),
				"EventRisk": map[string]any{"RiskLevel": "High"}},
			map[string]any{"EventType": "SignIn", "EventResponse": "Pass", "CreationDate": float64(time.Now().Add(-age).Unix()),
				"EventRisk":        map[string]any{"RiskLevel": level, "RiskDecision": "AccountTakeover"},
				"EventContextData": map[string]any{"IpAddress": "192.0.2.66"}},
		)
	}

	// Low risk: nothing is required.
	setRisk("Low", 0)
	if _, err := triggertest.Invoke(r, event(true, true), 0); err != nil {
		t.Fatal(err)
	}
	if len(mfaCalls()) != 0 {
		t.Fatalf("MFA required at low risk: %v", mfaCalls())
	}
	// An old risky event belongs to another sign-in.
	setRisk("High", time.Hour)
	if _, err := triggertest.Invoke(r, event(true, true), 0); err != nil || len(mfaCalls()) != 0 {
		t.Fatalf("old event: %v, %d calls", err, len(mfaCalls()))
	}
	// Medium risk, verified phone: SMS MFA, preferred.
	setRisk("Medium", 0)
	if _, err := triggertest.Invoke(r, event(true, true), 0); err != nil {
		t.Fatal(err)
	}
	if len(mfaCalls()) != 1 {
		t.Fatalf("%d MFA calls", len(mfaCalls()))
	}
	call := mfaCalls()[0]
	if call["UserPoolId"] != "us-east-1_EXAMPLE1" || call["Username"] != "jdoe" ||
		fmt.Sprint(call["SMSMfaSettings"]) != "map[Enabled:true PreferredMfa:true]" || call["EmailMfaSettings"] != nil {
		t.Fatalf("call: %v", call)
	}
	// High risk, only email verified: email MFA.
	setRisk("High", 0)
	if _, err := triggertest.Invoke(r, event(false, true), 0); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(mfaCalls()[1]["EmailMfaSettings"]) != "map[Enabled:true PreferredMfa:true]" {
		t.Fatalf("call: %v", mfaCalls()[1])
	}
	// No factor to turn on: the sign-in is refused.
	_, err := triggertest.Invoke(r, event(false, false), 0)
	if err == nil || err.Error() != authpolicy.MsgAccountUnavailable {
		t.Fatalf("no factor: %v", err)
	}
	recs, _ := store.Recent(context.Background(), "us-east-1_EXAMPLE1", "jdoe", 10)
	if len(recs) != 4 || !recs[0].MFARequired || recs[0].RiskLevel != "High" || recs[0].IP != "192.0.2.66" || recs[3].MFARequired {
		t.Fatalf("audit: %+v", recs)
	}
	// Cognito refuses: the sign-in fails, and nothing is audited as done.
	pool.FailNext("AdminSetUserMFAPreference", "InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA")
	_, err = triggertest.Invoke(r, event(true, true), 0)
	if err == nil || !strings.Contains(triggertest.Cause(err), "InvalidParameterException") {
		t.Fatalf("API failure: %v", err)
	}
	if recs, _ := store.Recent(context.Background(), "us-east-1_EXAMPLE1", "jdoe", 10); len(recs) != 4 {
		t.Fatalf("audited a failed sign-in: %d", len(recs))
	}
}

func TestRequireMFAMethods(t *testing.T) {
	pool := cognitoPool(t)
	client := pool.Client()
	for _, tc := range []struct {
		method authpolicy.MFAMethod
		field  string
	}{{authpolicy.MFASoftwareToken, "SoftwareTokenMfaSettings"}, {authpolicy.MFASMS, "SMSMfaSettings"}, {authpolicy.MFAEmail, "EmailMfaSettings"}} {
		r := postAuthRouter(t, authpolicy.PostAuthConfig{Audit: authpolicy.NewMemoryAuditStore(nil),
			MFA: &authpolicy.RequireMFA{API: client, When: authpolicy.NewDevice(), Method: tc.method}})
		if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostAuthentication_Authentication"), 0); err != nil {
			t.Fatal(err)
		}
		calls := pool.Requests("AdminSetUserMFAPreference")
		last := calls[len(calls)-1]
		if last[tc.field] == nil {
			t.Errorf("%s: call %v", tc.method, last)
		}
	}
	// An unknown method fails at construction (issue 13 §3).
	if _, err := authpolicy.PostAuthentication(authpolicy.PostAuthConfig{Audit: authpolicy.NewMemoryAuditStore(nil),
		MFA: &authpolicy.RequireMFA{API: client, When: authpolicy.NewDevice(), Method: "YUBIKEY"}}); err == nil {
		t.Fatal("unknown method accepted")
	}
}

type failingStore struct{ authpolicy.AuditStore }

func (failingStore) Put(context.Context, authpolicy.AuditRecord) error {
	return errors.New("disk full")
}

func TestPostAuthenticationFailures(t *testing.T) {
	if _, err := authpolicy.PostAuthentication(authpolicy.PostAuthConfig{}); err == nil {
		t.Error("no audit store accepted")
	}
	if _, err := authpolicy.PostAuthentication(authpolicy.PostAuthConfig{Audit: authpolicy.NewMemoryAuditStore(nil), MFA: &authpolicy.RequireMFA{}}); err == nil {
		t.Error("MFA without API accepted")
	}
	r := postAuthRouter(t, authpolicy.PostAuthConfig{Audit: failingStore{}})
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostAuthentication_Authentication"), 0); err == nil || !strings.Contains(triggertest.Cause(err), "disk full") {
		t.Fatalf("store failure: %v", err)
	}
	sigErr := authpolicy.SignalFunc(func(context.Context, *triggers.PostAuthenticationEvent) (authpolicy.Signals, error) {
		return authpolicy.Signals{}, errors.New("no signals")
	})
	r = postAuthRouter(t, authpolicy.PostAuthConfig{Audit: authpolicy.NewMemoryAuditStore(nil), Signals: must(authpolicy.MergeSignals(sigErr))})
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostAuthentication_Authentication"), 0); err == nil {
		t.Fatal("signal failure ignored")
	}
	pool := cognitoPool(t)
	pool.FailNext("AdminListUserAuthEvents", "UserPoolAddOnNotEnabledException", "threat protection is off")
	client := pool.Client()
	r = postAuthRouter(t, authpolicy.PostAuthConfig{Audit: authpolicy.NewMemoryAuditStore(nil), Signals: must(authpolicy.AuthEventSignals(client, time.Minute))})
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostAuthentication_Authentication"), 0); err == nil || !strings.Contains(triggertest.Cause(err), "UserPoolAddOnNotEnabledException") {
		t.Fatalf("auth events failure: %v", err)
	}
}

func TestRiskSignals(t *testing.T) {
	atLeastMedium := authpolicy.RiskAtLeast("medium")
	for level, want := range map[string]bool{"": false, "Low": false, "Medium": true, "HIGH": true, "weird": false} {
		if got := atLeastMedium(authpolicy.Signals{RiskLevel: level}, nil); got != want {
			t.Errorf("RiskAtLeast(medium)(%q) = %v", level, got)
		}
	}
	if authpolicy.RiskAtLeast("bogus")(authpolicy.Signals{RiskLevel: "High"}, nil) {
		t.Error("an unknown threshold matched")
	}
	if !must(authpolicy.AnyOf(atLeastMedium, authpolicy.NewDevice()))(authpolicy.Signals{NewDevice: true}, nil) {
		t.Error("AnyOf missed NewDevice")
	}
	if must(authpolicy.AnyOf())(authpolicy.Signals{NewDevice: true}, nil) {
		t.Error("empty AnyOf matched")
	}
}

// Checks run before the audit: a refused sign-in gets no tokens and no
// audit record; a passing one is audited as usual.
func TestPostAuthenticationChecks(t *testing.T) {
	store := authpolicy.NewMemoryAuditStore(nil)
	r := postAuthRouter(t, authpolicy.PostAuthConfig{Audit: store, Checks: []triggers.Func[triggers.PostAuthenticationEvent]{
		must(authpolicy.TenantActive(tenants{"acme": authpolicy.StatusActive}, authpolicy.TenantConfig{})),
	}})
	refused := triggertest.From(t, "PostAuthentication_Authentication").UserAttribute("custom:tenantId", "gone").JSON(t)
	if _, err := triggertest.Invoke(r, refused, 0); err == nil || err.Error() != authpolicy.MsgAccountUnavailable {
		t.Fatalf("inactive tenant: %v", err)
	}
	ev := triggertest.Decode[triggers.PostAuthenticationEvent](t, "PostAuthentication_Authentication")
	if recs, _ := store.Recent(context.Background(), ev.UserPoolID, ev.UserName, 10); len(recs) != 0 {
		t.Fatalf("a refused sign-in was audited: %+v", recs)
	}
	ok := triggertest.From(t, "PostAuthentication_Authentication").UserAttribute("custom:tenantId", "acme").JSON(t)
	if _, err := triggertest.Invoke(r, ok, 0); err != nil {
		t.Fatal(err)
	}
	if recs, _ := store.Recent(context.Background(), ev.UserPoolID, ev.UserName, 10); len(recs) != 1 {
		t.Fatalf("%d audit records, want 1", len(recs))
	}
}
