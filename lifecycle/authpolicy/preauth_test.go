package authpolicy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

const clientID = "1example23456789abcdefghij" // the recorded events' app client

func preAuth(t testing.TB, mutate ...func(*triggertest.Builder)) *triggers.PreAuthenticationEvent {
	t.Helper()
	b := triggertest.From(t, "PreAuthentication_Authentication")
	for _, m := range mutate {
		m(b)
	}
	ev := new(triggers.PreAuthenticationEvent)
	if err := json.Unmarshal(b.JSON(t), ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// refusal asserts err is a refusal with reason want and returns its message.
func refusal(t *testing.T, err error, want error) string {
	t.Helper()
	var r *triggers.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("got %v (%T), want a refusal", err, err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("refusal reason %v, want %v", r.Reason, want)
	}
	return r.Message
}

type tenants map[string]authpolicy.Status

func (m tenants) TenantStatus(_ context.Context, id string) (authpolicy.Status, error) {
	if id == "broken" {
		return 0, errors.New("table unavailable")
	}
	return m[id], nil
}

func withTenant(id string) func(*triggertest.Builder) {
	return func(b *triggertest.Builder) { b.UserAttribute(authpolicy.DefaultTenantAttribute, id) }
}

func postAuth(t testing.TB, mutate ...func(*triggertest.Builder)) *triggers.PostAuthenticationEvent {
	t.Helper()
	b := triggertest.From(t, "PostAuthentication_Authentication")
	for _, m := range mutate {
		m(b)
	}
	ev := new(triggers.PostAuthenticationEvent)
	if err := json.Unmarshal(b.JSON(t), ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestTenantActive(t *testing.T) {
	ts := tenants{"acme": authpolicy.StatusActive, "globex": authpolicy.StatusSuspended, "initech": authpolicy.StatusDisabled}
	check := must(authpolicy.TenantActive(ts, authpolicy.TenantConfig{}))
	ctx := context.Background()
	if err := check(ctx, postAuth(t, withTenant("acme"))); err != nil {
		t.Fatalf("active tenant: %v", err)
	}
	for _, id := range []string{"globex", "initech", "unknown"} {
		msg := refusal(t, check(ctx, postAuth(t, withTenant(id))), authpolicy.ErrTenantInactive)
		if msg != authpolicy.MsgAccountUnavailable {
			t.Errorf("%s: message %q", id, msg)
		}
	}
	refusal(t, check(ctx, postAuth(t)), authpolicy.ErrNoTenant)
	if err := must(authpolicy.TenantActive(ts, authpolicy.TenantConfig{AllowNoTenant: true}))(ctx, postAuth(t)); err != nil {
		t.Fatalf("AllowNoTenant: %v", err)
	}
	err := check(ctx, postAuth(t, withTenant("broken")))
	var r *triggers.Refusal
	if err == nil || errors.As(err, &r) || !strings.Contains(err.Error(), "table unavailable") {
		t.Fatalf("lookup failure: %v", err)
	}
	custom := must(authpolicy.TenantActive(ts, authpolicy.TenantConfig{Attribute: "custom:org", Message: "Your organisation is paused."}))
	if msg := refusal(t, custom(ctx, postAuth(t, func(b *triggertest.Builder) { b.UserAttribute("custom:org", "globex") })), authpolicy.ErrTenantInactive); msg != "Your organisation is paused." {
		t.Fatalf("message %q", msg)
	}
}

// Issue 12 item 12, first half: the check read "custom:tenant_id", which
// nothing writes, so with AllowNoTenant a user of a suspended tenant
// (custom:tenantId, as package tenancy sets it) looked tenant-less and got
// in. Driven as Cognito calls the trigger, through a router.
func TestSuspendedTenantWithAllowNoTenant(t *testing.T) {
	r := triggers.NewRouter()
	r.PostAuthentication(must(authpolicy.TenantActive(tenants{"acme": authpolicy.StatusActive, "globex": authpolicy.StatusSuspended},
		authpolicy.TenantConfig{AllowNoTenant: true})))
	payload := triggertest.From(t, "PostAuthentication_Authentication").UserAttribute("custom:tenantId", "globex").JSON(t)
	_, err := triggertest.Invoke(r, payload, 0)
	if !errors.Is(err, authpolicy.ErrTenantInactive) || err.Error() != authpolicy.MsgAccountUnavailable {
		t.Fatalf("user of a suspended tenant with AllowNoTenant: %v, want the refusal %q", err, authpolicy.MsgAccountUnavailable)
	}
	payload = triggertest.From(t, "PostAuthentication_Authentication").UserAttribute("custom:tenantId", "acme").JSON(t)
	if _, err := triggertest.Invoke(r, payload, 0); err != nil {
		t.Fatalf("user of an active tenant: %v", err)
	}
	payload = triggertest.From(t, "PostAuthentication_Authentication").Delete("request.userAttributes.custom:tenantId").JSON(t)
	if _, err := triggertest.Invoke(r, payload, 0); err != nil {
		t.Fatalf("user without a tenant, AllowNoTenant: %v", err)
	}
}

// Issue 12 item 12, second half: as a pre-authentication check, the
// tenant check refused an existing user without an active tenant before
// the password check, while an unknown user went on to "Incorrect
// username or password"; an attacker without any password could tell
// them apart. Now the pre-authentication trigger of this package answers
// every one of them alike, and the tenant refusal comes in post
// authentication, which Cognito reaches only after the password.
func TestTenantCheckTellsNoOneApartBeforePassword(t *testing.T) {
	ts := tenants{"acme": authpolicy.StatusActive, "globex": authpolicy.StatusSuspended}
	pre := triggers.NewRouter()
	// Every pre-authentication check the package has that depends on the
	// user's data does nothing for an unknown user, and the tenant check
	// is not one of them any more.
	pre.PreAuthentication(must(authpolicy.PreAuthentication(must(authpolicy.ClientAllowList("", clientID)))))
	post := triggers.NewRouter()
	post.PostAuthentication(must(authpolicy.TenantActive(ts, authpolicy.TenantConfig{})))

	unknown := triggertest.Load(t, "PreAuthentication_Authentication.user-not-found")
	noTenant := triggertest.From(t, "PreAuthentication_Authentication").Delete("request.userAttributes.custom:tenantId").JSON(t)
	suspended := triggertest.From(t, "PreAuthentication_Authentication").UserAttribute("custom:tenantId", "globex").JSON(t)
	for name, p := range map[string][]byte{"unknown user": unknown, "user without tenant": noTenant, "user of a suspended tenant": suspended} {
		if _, err := triggertest.Invoke(pre, p, 0); err != nil {
			t.Errorf("pre authentication, %s: %v; want the same pass as for every user", name, err)
		}
	}
	// After the password, the refusals come.
	for name, p := range map[string][]byte{
		"user without tenant":        triggertest.From(t, "PostAuthentication_Authentication").Delete("request.userAttributes.custom:tenantId").JSON(t),
		"user of a suspended tenant": triggertest.From(t, "PostAuthentication_Authentication").UserAttribute("custom:tenantId", "globex").JSON(t),
	} {
		if _, err := triggertest.Invoke(post, p, 0); err == nil || err.Error() != authpolicy.MsgAccountUnavailable {
			t.Errorf("post authentication, %s: %v, want the refusal", name, err)
		}
	}
}

func TestUserDependentChecksIgnoreUnknownUsers(t *testing.T) {
	ev := triggertest.Decode[triggers.PreAuthenticationEvent](t, "PreAuthentication_Authentication.user-not-found")
	ctx := context.Background()
	if err := must(authpolicy.UserAttribute("", func(triggers.Attributes) bool { return false }))(ctx, ev); err != nil {
		t.Fatalf("attribute check on an unknown user: %v", err)
	}
	// Checks that do not depend on the user still apply.
	if err := must(authpolicy.ClientAllowList("", "other"))(ctx, ev); err == nil {
		t.Fatal("client check skipped for an unknown user")
	}
}

func TestIPRule(t *testing.T) {
	src := authpolicy.IPFromValidationData("sourceIp")
	check, err := authpolicy.IPRule(authpolicy.IPConfig{
		Allow:  []string{"203.0.113.0/24", "2001:db8::/32", "198.51.100.7"},
		Deny:   []string{"203.0.113.128/25"},
		Source: src,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := func(ip string) *triggers.PreAuthenticationEvent {
		return preAuth(t, func(b *triggertest.Builder) { b.Set("request.validationData.sourceIp", ip) })
	}
	for _, ip := range []string{"203.0.113.5", "2001:db8::1", "198.51.100.7", "::ffff:203.0.113.9", " 203.0.113.10 "} {
		if err := check(ctx, at(ip)); err != nil {
			t.Errorf("%q: %v", ip, err)
		}
	}
	for ip, reason := range map[string]error{
		"203.0.113.200":        authpolicy.ErrIPDenied, // deny wins over allow
		"::ffff:203.0.113.200": authpolicy.ErrIPDenied,
		"192.0.2.1":            authpolicy.ErrIPNotAllowed,
		"198.51.100.8":         authpolicy.ErrIPNotAllowed,
		"2001:db9::1":          authpolicy.ErrIPNotAllowed,
		"not an ip":            authpolicy.ErrIPUnknown,
		"":                     authpolicy.ErrIPUnknown,
	} {
		if msg := refusal(t, check(ctx, at(ip)), reason); msg != authpolicy.MsgNetworkRefused {
			t.Errorf("%q: message %q", ip, msg)
		}
	}
	lenient, _ := authpolicy.IPRule(authpolicy.IPConfig{Allow: []string{"10.0.0.0/8"}, Source: src, AllowUnknown: true})
	if err := lenient(ctx, preAuth(t)); err != nil {
		t.Fatalf("AllowUnknown: %v", err)
	}
	denyOnly, _ := authpolicy.IPRule(authpolicy.IPConfig{Deny: []string{"10.0.0.0/8"}, Source: src})
	if err := denyOnly(ctx, preAuth(t)); err != nil {
		t.Fatalf("deny list, unknown IP: %v", err)
	}
	refusal(t, denyOnly(ctx, at("10.1.2.3")), authpolicy.ErrIPDenied)
}

func TestIPRuleRefusesBadConfig(t *testing.T) {
	src := authpolicy.IPFromValidationData("ip")
	for _, cfg := range []authpolicy.IPConfig{
		{Allow: []string{"10.0.0.0/33"}, Source: src},
		{Deny: []string{"10.0.0.0/8", "banana"}, Source: src},
		{Allow: []string{"10.0.0.0/8"}},
		{Source: src},
	} {
		if _, err := authpolicy.IPRule(cfg); err == nil {
			t.Errorf("IPRule(%+v) accepted", cfg)
		}
	}
	_, err := authpolicy.ParsePrefixes([]string{"10.0.0.0/8", "x", "300.1.1.1", "::ffff:10.0.0.0/104"})
	if err == nil || !strings.Contains(err.Error(), `"x"`) || !strings.Contains(err.Error(), `"300.1.1.1"`) {
		t.Fatalf("ParsePrefixes: %v", err)
	}
	p, err := authpolicy.ParsePrefixes([]string{"::ffff:10.0.0.0/104", "10.9.8.7"})
	if err != nil || p[0].String() != "10.0.0.0/8" || p[1].String() != "10.9.8.7/32" {
		t.Fatalf("ParsePrefixes: %v %v", p, err)
	}
}

func TestWithSourceIPReadsUserContextData(t *testing.T) {
	check, err := authpolicy.IPRule(authpolicy.IPConfig{Allow: []string{"203.0.113.0/24"},
		Source: must(authpolicy.FirstIP(authpolicy.IPFromContext(), authpolicy.IPFromValidationData("sourceIp")))})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter()
	r.PreAuthentication(must(authpolicy.PreAuthentication(check)))
	h := authpolicy.WithSourceIP(r)
	cases := []struct {
		name string
		set  func(*triggertest.Builder)
		ok   bool
	}{
		{"ipAddress inside", func(b *triggertest.Builder) { b.Set("request.userContextData.ipAddress", "203.0.113.4") }, true},
		{"ipAddress outside", func(b *triggertest.Builder) { b.Set("request.userContextData.ipAddress", "192.0.2.4") }, false},
		{"sourceIp list", func(b *triggertest.Builder) { b.Set("request.userContextData.sourceIp", []string{"203.0.113.4"}) }, true},
		{"sourceIp string", func(b *triggertest.Builder) { b.Set("request.userContextData.sourceIp", "192.0.2.4") }, false},
		{"context wins over metadata", func(b *triggertest.Builder) {
			b.Set("request.userContextData.ipAddress", "192.0.2.4").Set("request.validationData.sourceIp", "203.0.113.4")
		}, false},
		{"falls back to metadata", func(b *triggertest.Builder) { b.Set("request.validationData.sourceIp", "203.0.113.4") }, true},
		{"nowhere", func(*triggertest.Builder) {}, false},
	}
	for _, tc := range cases {
		b := triggertest.From(t, "PreAuthentication_Authentication")
		tc.set(b)
		_, err := triggertest.Invoke(h, b.JSON(t), 0)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
	if _, err := triggertest.Invoke(h, []byte("{not json"), 0); err == nil {
		t.Error("malformed event passed")
	}
	ctx := authpolicy.ContextWithSourceIP(context.Background(), netip.MustParseAddr("::ffff:203.0.113.1"))
	if a, ok := authpolicy.SourceIP(ctx); !ok || a.String() != "203.0.113.1" {
		t.Errorf("SourceIP = %v %v", a, ok)
	}
}

func TestClientAllowListAndUserAttribute(t *testing.T) {
	ctx := context.Background()
	if err := must(authpolicy.ClientAllowList("", clientID, "other"))(ctx, preAuth(t)); err != nil {
		t.Fatal(err)
	}
	if msg := refusal(t, must(authpolicy.ClientAllowList("", "other"))(ctx, preAuth(t)), authpolicy.ErrClientNotAllowed); msg != authpolicy.MsgClientRefused {
		t.Fatalf("message %q", msg)
	}
	verified := must(authpolicy.UserAttribute("Verify your email first.", func(a triggers.Attributes) bool { return a.Verified("email") }))
	if err := verified(ctx, preAuth(t)); err != nil {
		t.Fatal(err)
	}
	unverified := preAuth(t, func(b *triggertest.Builder) { b.UserAttribute("email_verified", "false") })
	if msg := refusal(t, verified(ctx, unverified), authpolicy.ErrAttributeRefused); msg != "Verify your email first." {
		t.Fatalf("message %q", msg)
	}
}

// TestPreAuthenticationComposes runs composed checks through a Router with
// the default middleware: the first refusal wins, its message reaches the
// client, and the log records the reason without the user's data.
func TestPreAuthenticationComposes(t *testing.T) {
	calls := 0
	counting := func(context.Context, *triggers.PreAuthenticationEvent) error { calls++; return nil }
	var logs bytes.Buffer
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(slog.New(slog.NewJSONHandler(&logs, nil)))...))
	r.PreAuthentication(must(authpolicy.PreAuthentication(
		counting,
		must(authpolicy.All(must(authpolicy.ClientAllowList("", clientID)), counting)),
		must(authpolicy.UserAttribute("", func(a triggers.Attributes) bool { return a["custom:tier"] != "gone" })),
		counting,
	)))
	payload := triggertest.From(t, "PreAuthentication_Authentication").UserAttribute("custom:tier", "pro").JSON(t)
	if _, err := triggertest.Invoke(r, payload, 0); err != nil || calls != 3 {
		t.Fatalf("err %v, %d calls", err, calls)
	}
	calls = 0
	payload = triggertest.From(t, "PreAuthentication_Authentication").UserAttribute("custom:tier", "gone").JSON(t)
	_, err := triggertest.Invoke(r, payload, 0)
	if err == nil || err.Error() != authpolicy.MsgAccountUnavailable || calls != 2 {
		t.Fatalf("err %v, %d calls", err, calls)
	}
	if !strings.Contains(logs.String(), "trigger refused") || !strings.Contains(logs.String(), "user attributes refused") {
		t.Fatalf("log: %s", logs.String())
	}
	if strings.Contains(logs.String(), "jdoe@example.com") || strings.Contains(logs.String(), "vd-SECRET") {
		t.Fatalf("personal data or validation data in the log: %s", logs.String())
	}
}
