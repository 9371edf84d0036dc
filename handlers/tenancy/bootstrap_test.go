package main

import (
	"slices"
	"strings"
	"testing"

	bt "github.com/cognitrig/cognitrig/handlers/internal/bootstraptest"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/tenancy/federation"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestMain(m *testing.M) { bt.Main(m) }

var served = []triggers.Trigger{triggers.PreSignUp, triggers.PostConfirmation, triggers.PreTokenGenerationV1, triggers.PreTokenGenerationV2}

// TestBootstrap runs the shipped binary with a tenancy table and a local
// Cognito API, and sends it every recorded event.
func TestBootstrap(t *testing.T) {
	bin := bt.Build(t, ".")
	// jdoe is the Cognito user that a federated sign-up with the same
	// verified email is linked to; the invitation makes it an admin of
	// acme, a member of the group the pattern below names.
	cognito := bt.Cognito(t)
	cognito.AddGroup(awsfake.CognitoGroup{Name: "tenant-" + bt.Tenant + "-admin"})
	fn, log := bt.Start(t, bin, append(bt.AWSEnv(map[string]string{"COGNITO_IDENTITY_PROVIDER": cognito.URL}),
		"COGNITRIG_TENANCY_TABLE="+bt.TenancyTable(t),
		"COGNITRIG_SCOPE_MAP=admins=read,write; admin=read,write; *=read",
		"COGNITRIG_GROUP_PATTERN=tenant-{id}-{role}",
		"COGNITRIG_FEDERATION_PROVIDERS=Google",
		"COGNITRIG_LOG_LEVEL=debug",
	)...)
	for _, name := range triggertest.Names() {
		payload := triggertest.Load(t, name)
		res := bt.Invoke(t, fn, payload)
		switch tr := bt.TriggerOf(t, payload); {
		case bt.Unserved(t, name, tr, res, served...):
		case name == "PreSignUp_ExternalProvider":
			// The Google identity is linked to the existing jdoe; this
			// sign-up ends, and the next one signs in as jdoe.
			if msg := bt.Refusal(t, name, res); msg != federation.DefaultLinkedMessage {
				t.Errorf("%s: %q", name, msg)
			}
		case strings.HasPrefix(name, "PreSignUp_SignUp"):
			// The invitation's token is in the first one's client
			// metadata; the other has none, and passes unconfirmed.
			r := bt.Decode[triggers.PreSignUpEvent](t, name, res).Response
			if invited := name == "PreSignUp_SignUp"; r.AutoConfirmUser != invited || r.AutoVerifyEmail != invited {
				t.Errorf("%s: %+v", name, r)
			}
			if name == "PreSignUp_SignUp" {
				// Cognito confirms the invited user next: post confirmation
				// binds the claim to the user's sub and records the
				// membership (admin) that the token events below read.
				if res := bt.Invoke(t, fn, triggertest.Load(t, "PostConfirmation_ConfirmSignUp")); res.FunctionError != "" {
					t.Errorf("confirmation after the invited sign-up: %s", res.Payload)
				}
			}
		case tr == triggers.PreTokenGenerationV1:
			d := bt.Decode[triggers.PreTokenGenerationV1Event](t, name, res).Response.ClaimsOverrideDetails
			if d == nil || d.ClaimsToAddOrOverride["tenant_id"] != bt.Tenant {
				t.Errorf("%s: %s", name, res.Payload)
			}
		case tr == triggers.PreTokenGenerationV2:
			d := bt.Decode[triggers.PreTokenGenerationV2Event](t, name, res).Response.ClaimsAndScopeOverrideDetails
			if d == nil || d.AccessTokenGeneration == nil || d.AccessTokenGeneration.ClaimsToAddOrOverride["tenant_id"] != bt.Tenant {
				t.Errorf("%s: %s", name, res.Payload)
				continue
			}
			want := []string{"tenant:acme:read", "tenant:acme:write"}
			if strings.HasPrefix(name, "TokenGeneration_ClientCredentials") {
				want = want[:1] // the client's role "service" falls to "*"
			}
			if got := d.AccessTokenGeneration.ScopesToAdd; !slices.Equal(got, want) {
				t.Errorf("%s: scopes %v, want %v", name, got, want)
			}
		default:
			bt.Answer(t, name, payload, res)
		}
	}
	// The sign-up made jdoe a member: confirmation sets the attribute and
	// the group (the recorded confirmation came before the sign-up).
	before := len(cognito.Ops())
	bt.Answer(t, "confirm", triggertest.Load(t, "PostConfirmation_ConfirmSignUp"), bt.Invoke(t, fn, triggertest.Load(t, "PostConfirmation_ConfirmSignUp")))
	if ops := cognito.Ops()[before:]; !slices.Equal(ops, []string{"AdminUpdateUserAttributes", "AdminAddUserToGroup"}) {
		t.Errorf("confirmation called %v", ops)
	}
	// A sign-up may not choose its tenant.
	chosen := triggertest.From(t, "PreSignUp_SignUp").UserAttribute("custom:tenantId", "evil").JSON(t)
	if msg := bt.Refusal(t, "chosen tenant", bt.Invoke(t, fn, chosen)); msg == "" || strings.Contains(msg, "evil") {
		t.Errorf("chosen tenant: %q", msg)
	}
	bt.ExpectCleanRun(t, fn, log)
}

// TestWelcomeEmailOnce: with the welcome email on, a confirmation binds the
// tenant and then emails the user once, however often Cognito delivers it;
// a password reset's confirmation sends nothing.
func TestWelcomeEmailOnce(t *testing.T) {
	bin := bt.Build(t, ".")
	cognito := bt.Cognito(t)
	ses := awsfake.NewSES(t)
	fn, log := bt.Start(t, bin, append(bt.AWSEnv(map[string]string{"COGNITO_IDENTITY_PROVIDER": cognito.URL, "SESV2": ses.URL}),
		"COGNITRIG_TENANCY_TABLE="+bt.TenancyTable(t),
		"COGNITRIG_WELCOME_EMAIL=true",
		"COGNITRIG_CONFIRM_TABLE="+bt.Table(t, bt.Confirm),
		"COGNITRIG_EMAIL_FROM=Example <no-reply@example.com>",
	)...)
	// The recorded sign-up makes the user a member, so that confirming
	// binds a tenant before the welcome.
	bt.Invoke(t, fn, triggertest.Load(t, "PreSignUp_SignUp"))

	confirmed := triggertest.Load(t, "PostConfirmation_ConfirmSignUp")
	ev := triggertest.Decode[triggers.PostConfirmationEvent](t, "PostConfirmation_ConfirmSignUp")
	for range 3 { // Cognito's delivery and two retries
		bt.Answer(t, "confirm", confirmed, bt.Invoke(t, fn, confirmed))
	}
	emails := ses.Emails()
	if len(emails) != 1 {
		t.Fatalf("%d welcome emails for three deliveries of one confirmation", len(emails))
	}
	if e := emails[0]; e.To != ev.Request.UserAttributes["email"] || e.From != "Example <no-reply@example.com>" ||
		!strings.HasPrefix(e.Subject, "Welcome") || !strings.Contains(e.HTML, "your account is confirmed") {
		t.Errorf("welcome email %+v", e)
	}
	if n := strings.Count(strings.Join(cognito.Ops(), " "), "AdminUpdateUserAttributes"); n != 3 {
		t.Errorf("the tenant was bound %d times, want on every delivery (idempotent)", n)
	}

	reset := triggertest.Load(t, "PostConfirmation_ConfirmForgotPassword")
	bt.Answer(t, "reset", reset, bt.Invoke(t, fn, reset))
	if n := len(ses.Emails()); n != 1 {
		t.Errorf("a password reset sent a welcome email (%d in all)", n)
	}
	if !strings.Contains(log.WaitFor("post-confirmation hook skipped"), "post-confirmation hook skipped") {
		t.Errorf("the skipped repeats are not logged:\n%.3000s", log.String())
	}
}

// TestWelcomeEmailRetriedAfterAFailure: when SES fails, the confirmation
// fails (so Cognito retries it) and the retry sends the one email.
func TestWelcomeEmailRetriedAfterAFailure(t *testing.T) {
	bin := bt.Build(t, ".")
	cognito := bt.Cognito(t)
	fn, _ := bt.Start(t, bin, append(bt.AWSEnv(map[string]string{"COGNITO_IDENTITY_PROVIDER": cognito.URL}), // SES unreachable
		"COGNITRIG_TENANCY_TABLE="+bt.TenancyTable(t),
		"COGNITRIG_WELCOME_EMAIL=true",
		"COGNITRIG_CONFIRM_TABLE="+bt.Table(t, bt.Confirm),
		"COGNITRIG_EMAIL_FROM=no-reply@example.com",
		"AWS_MAX_ATTEMPTS=1", // fail at once rather than back off to the deadline
	)...)
	confirmed := triggertest.Load(t, "PostConfirmation_ConfirmSignUp")
	if msg := bt.Refusal(t, "confirm, SES down", bt.Invoke(t, fn, confirmed)); msg == "" || strings.Contains(msg, "jdoe@example.com") {
		t.Fatalf("the confirmation succeeded without its welcome email, or its error names the address: %q", msg)
	}
	// The same confirmation, retried: the marker was released, so the
	// hook runs again (and fails again here, SES still being down) rather
	// than being skipped as done.
	if msg := bt.Refusal(t, "retry, SES down", bt.Invoke(t, fn, confirmed)); msg == "" {
		t.Fatal("the retry skipped the welcome email that never went out")
	}
}

// TestBadConfigurationFailsAtStart: every bad variable is named, and the
// function ends before it asks for an event.
func TestBadConfigurationFailsAtStart(t *testing.T) {
	bin := bt.Build(t, ".")
	out := bt.StartFails(t, bin, append(bt.AWSEnv(nil), "AWS_REGION=us-east-1",
		"COGNITRIG_SCOPE_MAP=admin", "COGNITRIG_GROUP_PATTERN=tenant", "COGNITRIG_TRUSTED_EMAIL_PROVIDERS=Okta",
		"COGNITRIG_REQUIRE_INVITATION=maybe")...)
	for _, name := range []string{"COGNITRIG_TENANCY_TABLE", "COGNITRIG_SCOPE_MAP", "COGNITRIG_GROUP_PATTERN",
		"COGNITRIG_TRUSTED_EMAIL_PROVIDERS", "COGNITRIG_REQUIRE_INVITATION"} {
		if !strings.Contains(out, name) {
			t.Errorf("the error does not name %s:\n%s", name, out)
		}
	}
}

// TestNoTemplateExecution: this function sends no templated message, so
// it must not link template execution (see bt.NoTemplateExecution).
func TestNoTemplateExecution(t *testing.T) {
	bt.NoTemplateExecution(t, bt.Build(t, "."))
}
