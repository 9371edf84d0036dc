package triggers_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// mutatingRouter registers, for every trigger with a response, a handler
// that applies set to the decoded event.
func mutatingRouter(set func(triggers.Event), opts ...triggers.Option) *triggers.Router {
	r := triggers.NewRouter(opts...)
	fn := func(ev triggers.Event) error { set(ev); return nil }
	r.PreSignUp(func(_ context.Context, ev *triggers.PreSignUpEvent) error { return fn(ev) })
	r.DefineAuthChallenge(func(_ context.Context, ev *triggers.DefineAuthChallengeEvent) error { return fn(ev) })
	r.CreateAuthChallenge(func(_ context.Context, ev *triggers.CreateAuthChallengeEvent) error { return fn(ev) })
	r.PreTokenGenerationV1(func(_ context.Context, ev *triggers.PreTokenGenerationV1Event) error { return fn(ev) })
	r.PreTokenGenerationV2(func(_ context.Context, ev *triggers.PreTokenGenerationV2Event) error { return fn(ev) })
	r.UserMigration(func(_ context.Context, ev *triggers.UserMigrationEvent) error { return fn(ev) })
	r.CustomMessage(func(_ context.Context, ev *triggers.CustomMessageEvent) error { return fn(ev) })
	r.InboundFederation(func(_ context.Context, ev *triggers.InboundFederationEvent) error { return fn(ev) })
	return r
}

func presignup(f func(*triggers.PreSignUpResponse)) func(triggers.Event) {
	return func(e triggers.Event) { f(&e.(*triggers.PreSignUpEvent).Response) }
}
func define(f func(*triggers.DefineAuthChallengeResponse)) func(triggers.Event) {
	return func(e triggers.Event) { f(&e.(*triggers.DefineAuthChallengeEvent).Response) }
}
func v1(f func(*triggers.ClaimsOverrideDetails)) func(triggers.Event) {
	return func(e triggers.Event) { f(e.(*triggers.PreTokenGenerationV1Event).Response.Details()) }
}
func v2(f func(*triggers.ClaimsAndScopeOverrideDetails)) func(triggers.Event) {
	return func(e triggers.Event) { f(e.(*triggers.PreTokenGenerationV2Event).Response.Details()) }
}
func migrate(f func(*triggers.UserMigrationResponse)) func(triggers.Event) {
	return func(e triggers.Event) { f(&e.(*triggers.UserMigrationEvent).Response) }
}
func message(f func(*triggers.CustomMessageResponse)) func(triggers.Event) {
	return func(e triggers.Event) { f(&e.(*triggers.CustomMessageEvent).Response) }
}
func federate(attrs map[string]string) func(triggers.Event) {
	return func(e triggers.Event) { e.(*triggers.InboundFederationEvent).Response.UserAttributesToMap = attrs }
}

// ruleCase is one rule: the response it refuses and the nearest response
// it must accept, on a recorded event.
type ruleCase struct {
	rule           string
	event          string
	refuse, accept func(triggers.Event)
}

var ruleCases = []ruleCase{
	{"presignup.autoverify-email-without-email", "PreSignUp_SignUp",
		func(e triggers.Event) {
			ev := e.(*triggers.PreSignUpEvent)
			delete(ev.Request.UserAttributes, "email")
			ev.Response.AutoVerifyEmail = true
		},
		presignup(func(r *triggers.PreSignUpResponse) { r.AutoVerifyEmail, r.AutoConfirmUser = true, true })},
	{"presignup.autoverify-phone-without-phone", "PreSignUp_SignUp",
		presignup(func(r *triggers.PreSignUpResponse) { r.AutoVerifyPhone = true }),
		func(e triggers.Event) {
			ev := e.(*triggers.PreSignUpEvent)
			ev.Request.UserAttributes["phone_number"] = "+15555550100"
			ev.Response.AutoVerifyPhone = true
		}},
	{"presignup.admin-create-user-flags", "PreSignUp_AdminCreateUser",
		presignup(func(r *triggers.PreSignUpResponse) { r.AutoConfirmUser = true }),
		presignup(func(r *triggers.PreSignUpResponse) {})},
	{"define.tokens-and-failure", "DefineAuthChallenge_Authentication.all-passed",
		define(func(r *triggers.DefineAuthChallengeResponse) { r.IssueTokens, r.FailAuthentication = true, true }),
		define(func(r *triggers.DefineAuthChallengeResponse) { r.IssueTokens = true })},
	{"define.no-decision", "DefineAuthChallenge_Authentication",
		define(func(*triggers.DefineAuthChallengeResponse) {}),
		define(func(r *triggers.DefineAuthChallengeResponse) { r.ChallengeName = triggers.ChallengeCustom })},
	{"define.tokens-for-unknown-user", "DefineAuthChallenge_Authentication.user-not-found",
		define(func(r *triggers.DefineAuthChallengeResponse) { r.IssueTokens = true }),
		define(func(r *triggers.DefineAuthChallengeResponse) { r.FailAuthentication = true })},
	{"pretoken.reserved-claim", "TokenGeneration_Authentication.v2",
		v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
			d.AccessToken().ClaimsToSuppress = []string{"client_id"}
		}),
		v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
			d.AccessToken().ClaimsToSuppress = []string{"cognito:groups"}
		})},
	{"pretoken.group-claim-in-claims", "TokenGeneration_Authentication.v1",
		v1(func(d *triggers.ClaimsOverrideDetails) {
			d.ClaimsToAddOrOverride = map[string]string{"cognito:preferred_role": "arn:aws:iam::123456789012:role/r"}
		}),
		v1(func(d *triggers.ClaimsOverrideDetails) {
			role := "arn:aws:iam::123456789012:role/r"
			d.GroupOverrideDetails = &triggers.GroupOverride{PreferredRole: &role}
		})},
	{"pretoken.object-in-id-claim", "TokenGeneration_Authentication.v2",
		v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
			d.IDToken().ClaimsToAddOrOverride = map[string]any{"address": map[string]any{"country": "NZ"}}
		}),
		v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
			d.IDToken().ClaimsToAddOrOverride = map[string]any{"profile": map[string]any{"country": "NZ"}, "email_verified": true}
		})},
	{"pretoken.id-token-for-client-credentials", "TokenGeneration_ClientCredentials.v3",
		v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
			d.IDToken().ClaimsToAddOrOverride = map[string]any{"tier": "gold"}
		}),
		v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
			d.AccessToken().ClaimsToAddOrOverride = map[string]any{"tier": "gold"}
		})},
	{"pretoken.scope-format", "TokenGeneration_Authentication.v2",
		v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
			d.AccessToken().ScopesToAdd = []string{"tenant:acme:read write"}
		}),
		v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
			d.AccessToken().ScopesToAdd = []string{"tenant:acme:read", "tenant:acme:write"}
		})},
	{"migration.no-attributes", "UserMigration_Authentication",
		migrate(func(r *triggers.UserMigrationResponse) { r.FinalUserStatus = triggers.UserStatusConfirmed }),
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"name": "J Doe"}
			r.FinalUserStatus = triggers.UserStatusConfirmed
		})},
	{"migration.final-user-status", "UserMigration_Authentication",
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com"}
			r.FinalUserStatus = "ACTIVE"
		}),
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com"}
			r.FinalUserStatus = triggers.UserStatusResetRequired
		})},
	{"migration.message-action", "UserMigration_Authentication",
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com"}
			r.MessageAction = "SILENT"
		}),
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com"}
			r.MessageAction = triggers.MessageActionSuppress
		})},
	{"migration.delivery-medium", "UserMigration_Authentication",
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com"}
			r.DesiredDeliveryMediums = []string{triggers.DeliveryMediumSMS}
		}),
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com"}
			r.DesiredDeliveryMediums = []string{triggers.DeliveryMediumEmail}
		})},
	{"migration.sms-mfa-without-phone", "UserMigration_Authentication",
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com"}
			r.EnableSMSMFA = true
		}),
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com", "phone_number": "+15555550100"}
			r.EnableSMSMFA = true
		})},
	{"migration.forgot-password-unverified", "UserMigration_ForgotPassword",
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com"}
		}),
		migrate(func(r *triggers.UserMigrationResponse) {
			r.UserAttributes = map[string]string{"email": "a@example.com", "email_verified": "true"}
			r.MessageAction = triggers.MessageActionSuppress
		})},
	{"message.code-placeholder", "CustomMessage_ForgotPassword",
		message(func(r *triggers.CustomMessageResponse) { r.EmailMessage = "Reset here: {##Click Here##}" }),
		message(func(r *triggers.CustomMessageResponse) { r.EmailMessage = "Your reset code is {####}" })},
	{"message.username-placeholder", "CustomMessage_AdminCreateUser",
		message(func(r *triggers.CustomMessageResponse) { r.SMSMessage = "Your password is {####}" }),
		message(func(r *triggers.CustomMessageResponse) { r.SMSMessage = "{username} / {####}" })},
	{"message.length", "CustomMessage_SignUp",
		message(func(r *triggers.CustomMessageResponse) { r.SMSMessage = "Code {####} " + strings.Repeat("é", 140-11) }),
		message(func(r *triggers.CustomMessageResponse) { r.SMSMessage = "Code {####} " + strings.Repeat("é", 140-12) })},
	{"federation.attribute-value-length", "InboundFederation_ExternalProvider.oidc",
		federate(map[string]string{"custom:idp_token": strings.Repeat("x", 2049)}),
		federate(map[string]string{"custom:idp_token": strings.Repeat("x", 2048)})},
}

func rulesOf(fs []triggers.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// TestEveryRuleRefusesAndAccepts: each rule's refused response has its
// finding with the rule's severity and page, and fails or passes the router
// as the severity says; the nearest accepted response has no finding at all
// and passes the strict test kit.
func TestEveryRuleRefusesAndAccepts(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range ruleCases {
		seen[c.rule] = true
		t.Run(c.rule, func(t *testing.T) {
			var rule triggers.Rule
			for _, r := range triggers.Rules() {
				if r.Name == c.rule {
					rule = r
				}
			}
			if rule.Page == "" {
				t.Fatalf("rule %s is not in Rules or has no page", c.rule)
			}
			// Refused.
			var got []triggers.Finding
			r := mutatingRouter(func(e triggers.Event) { c.refuse(e); got = triggers.Findings(e) })
			_, strictErr := triggertest.Invoke(r, triggertest.Load(t, c.event), 0)
			i := slices.IndexFunc(got, func(f triggers.Finding) bool { return f.Rule == c.rule })
			if i < 0 {
				t.Fatalf("refused response: findings %v lack %s", rulesOf(got), c.rule)
			}
			if f := got[i]; f.Severity != rule.Severity || f.Page != rule.Page || f.Problem == "" {
				t.Errorf("finding %+v does not match rule %+v", f, rule)
			}
			var re *triggers.ResponseError
			if !errors.As(strictErr, &re) {
				t.Fatalf("strict test kit: err = %v, want a ResponseError", triggertest.Cause(strictErr))
			}
			_, err := triggertest.Invoke(triggertest.AllowIgnored(r), triggertest.Load(t, c.event), 0)
			if (err != nil) != (rule.Severity == triggers.Rejected) {
				t.Errorf("%s rule through the router: err = %v", rule.Severity, triggertest.Cause(err))
			}
			// Accepted.
			r = mutatingRouter(func(e triggers.Event) { c.accept(e); got = triggers.Findings(e) })
			if _, err := triggertest.Invoke(r, triggertest.Load(t, c.event), 0); err != nil || len(got) != 0 {
				t.Errorf("accepted response: err = %v, findings %v", triggertest.Cause(err), rulesOf(got))
			}
		})
	}
	for _, r := range triggers.Rules() {
		if !seen[r.Name] {
			t.Errorf("rule %s has no test case", r.Name)
		}
	}
}

// TestCognitoAcceptsThese: responses that Cognito completes, each of which
// the router failed before issue 11. They pass the router without an error.
func TestCognitoAcceptsThese(t *testing.T) {
	cases := []struct {
		name, event string
		set         func(triggers.Event)
	}{
		{"PreSignUp_AdminCreateUser with autoConfirmUser", "PreSignUp_AdminCreateUser",
			presignup(func(r *triggers.PreSignUpResponse) { r.AutoConfirmUser = true })},
		{"DefineAuthChallenge issueTokens with a leftover challengeName", "DefineAuthChallenge_Authentication.all-passed",
			define(func(r *triggers.DefineAuthChallengeResponse) {
				r.IssueTokens, r.FailAuthentication, r.ChallengeName = true, false, triggers.ChallengeCustom
			})},
		{"CreateAuthChallenge without public parameters or metadata", "CreateAuthChallenge_Authentication",
			func(e triggers.Event) {
				ev := e.(*triggers.CreateAuthChallengeEvent)
				ev.Request.ChallengeName = triggers.ChallengeCustom
				ev.Response = triggers.CreateAuthChallengeResponse{PrivateChallengeParameters: triggers.SecretMap{"answer": "42"}}
			}},
		{"CustomMessage_ForgotPassword with emailMessage and no emailSubject", "CustomMessage_ForgotPassword",
			message(func(r *triggers.CustomMessageResponse) { r.EmailMessage, r.EmailSubject = "Your code is {####}", "" })},
	}
	for _, claim := range []string{"cognito:groups", "cognito:roles", "cognito:preferred_role"} {
		for _, ev := range []string{"TokenGeneration_Authentication.v1", "TokenGeneration_HostedAuth.v1"} {
			cases = append(cases, struct {
				name, event string
				set         func(triggers.Event)
			}{"V1 suppresses " + claim + " on " + ev, ev,
				v1(func(d *triggers.ClaimsOverrideDetails) { d.ClaimsToSuppress = []string{claim} })})
		}
		cases = append(cases, struct {
			name, event string
			set         func(triggers.Event)
		}{"V2 suppresses " + claim, "TokenGeneration_Authentication.v2",
			v2(func(d *triggers.ClaimsAndScopeOverrideDetails) {
				d.IDToken().ClaimsToSuppress = []string{claim}
				d.AccessToken().ClaimsToSuppress = []string{claim}
			})})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			r := mutatingRouter(c.set, triggers.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			out, err := r.Invoke(context.Background(), triggertest.Load(t, c.event))
			if err != nil || len(out) == 0 {
				t.Fatalf("err = %v", triggertest.Cause(err))
			}
			if c.event != "PreSignUp_AdminCreateUser" {
				// Nothing ignored either: the strict test kit passes too.
				if _, err := triggertest.Invoke(r, triggertest.Load(t, c.event), 0); err != nil {
					t.Fatalf("test kit: %v", triggertest.Cause(err))
				}
			}
		})
	}
}

// TestIgnoredFindingIsOneWarning: an ignored finding goes through unchanged
// with one warning naming the rule; RejectIgnored and the test kit fail it;
// AllowIgnored lets it through in tests.
func TestIgnoredFindingIsOneWarning(t *testing.T) {
	set := presignup(func(r *triggers.PreSignUpResponse) { r.AutoConfirmUser, r.AutoVerifyEmail = true, true })
	payload := triggertest.Load(t, "PreSignUp_AdminCreateUser")

	var logs bytes.Buffer
	r := mutatingRouter(set, triggers.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	out, err := r.Invoke(context.Background(), payload)
	if err != nil || !bytes.Contains(out, []byte(`"autoConfirmUser":true`)) {
		t.Fatalf("err = %v, out = %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"level":"WARN"`) ||
		!strings.Contains(lines[0], "presignup.admin-create-user-flags") || !strings.Contains(lines[0], "Cognito ignores") {
		t.Fatalf("want one warning naming the rule, got %q", logs.String())
	}

	strict := mutatingRouter(set, triggers.RejectIgnored(), triggers.WithLogger(slog.New(slog.DiscardHandler)))
	if _, err := strict.Invoke(context.Background(), payload); err == nil {
		t.Error("RejectIgnored let an ignored finding through")
	}
	if _, err := triggertest.Invoke(r, payload, 0); err == nil {
		t.Error("the test kit let an ignored finding through")
	}
	if _, err := triggertest.Invoke(triggertest.AllowIgnored(r), payload, 0); err != nil {
		t.Errorf("AllowIgnored: %v", triggertest.Cause(err))
	}
	// A rejected finding is not let through by AllowIgnored.
	bad := mutatingRouter(define(func(*triggers.DefineAuthChallengeResponse) {}), triggers.WithLogger(slog.New(slog.DiscardHandler)))
	if _, err := triggertest.Invoke(triggertest.AllowIgnored(bad), triggertest.Load(t, "DefineAuthChallenge_Authentication"), 0); err == nil {
		t.Error("AllowIgnored let a rejected finding through")
	}
	// CheckResponse stays an error for rejected findings only.
	ev := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_AdminCreateUser")
	ev.Response.AutoConfirmUser = true
	if err := triggers.CheckResponse(ev); err != nil {
		t.Errorf("CheckResponse failed an ignored finding: %v", err)
	}
}

// TestInspectMarksSeverities: cognitrig inspect shows both severities.
func TestInspectMarksSeverities(t *testing.T) {
	payload := triggertest.From(t, "PreSignUp_AdminCreateUser").Set("response.autoConfirmUser", true).JSON(t)
	in := triggers.Inspect(payload)
	if len(in.Findings) != 1 || in.Findings[0].Severity != triggers.Ignored ||
		!slices.ContainsFunc(in.Problems, func(p string) bool { return strings.Contains(p, "ignored by Cognito") }) {
		t.Errorf("ignored: %+v", in)
	}
	payload = triggertest.From(t, "PreSignUp_SignUp").Set("response.autoVerifyPhone", true).JSON(t)
	in = triggers.Inspect(payload)
	if len(in.Findings) != 1 || in.Findings[0].Severity != triggers.Rejected ||
		!slices.ContainsFunc(in.Problems, func(p string) bool { return strings.Contains(p, "rejected by Cognito") }) {
		t.Errorf("rejected: %+v", in)
	}
}
