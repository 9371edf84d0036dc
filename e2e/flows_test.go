package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/lifecycle/confirm"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
	"github.com/cognitrig/cognitrig/triggers"
)

const password = "Correct-Horse-Battery-9!"

// timing records how long a flow took, for BENCHMARKS.md.
func timing(t *testing.T, flow string, start time.Time) {
	t.Helper()
	t.Logf("TIMING %-34s %6.0f ms", flow, float64(time.Since(start).Microseconds())/1000)
}

func signIn(ctx context.Context, s *stack, user, pw string) (*cip.InitiateAuthOutput, error) {
	return s.cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(s.clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": pw},
	})
}

func signUp(ctx context.Context, s *stack, email, token string) (*cip.SignUpOutput, error) {
	in := &cip.SignUpInput{
		ClientId: aws.String(s.clientID), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}
	if token != "" {
		// cognito-local does not pass ValidationData to PreSignUp; the
		// invitation handler reads the token from clientMetadata as well.
		in.ClientMetadata = map[string]string{"invitationToken": token}
	}
	return s.cognito.SignUp(ctx, in)
}

// TestTenantSignUpAndTokens: invitation sign-up → pre-sign-up →
// confirmation → post-confirmation sets the tenant and sends one welcome
// email (local SES) → sign-in → the ID token
// carries the tenant claims; a used or expired invitation is refused with
// the handler's message.
func TestTenantSignUpAndTokens(t *testing.T) {
	ctx := context.Background()
	db := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, db, dynamostore.TableDefinition("e2e-tenancy"))
	store, err := dynamostore.New(db, table)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Organisation: "Acme Corporation Ltd", Status: tenancy.StatusActive, Tier: "pro"}); err != nil {
		t.Fatal(err)
	}
	invite := func(email string, validFor time.Duration, now time.Time) triggers.Secret {
		inv, token, err := tenancy.NewInvitation("acme", "admin", email, validFor, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CreateInvitation(ctx, inv); err != nil {
			t.Fatal(err)
		}
		return token
	}
	// The welcome email goes through a local SES, once per user.
	markers := dynamotest.CreateTable(t, db, confirm.TableDefinition("e2e-confirm"))
	ses := awsfake.NewSES(t)
	s := startStack(t,
		[]function{{name: "tenancy", handler: "tenancy", env: []string{
			"COGNITRIG_TENANCY_TABLE=" + table, "COGNITRIG_REQUIRE_INVITATION=true",
			"COGNITRIG_WELCOME_EMAIL=true", "COGNITRIG_CONFIRM_TABLE=" + markers,
			"COGNITRIG_EMAIL_FROM=welcome@acme.example", "AWS_ENDPOINT_URL_SESV2=" + ses.URL,
		}}},
		map[string]string{"PreSignUp": "tenancy", "PostConfirmation": "tenancy", "PreTokenGeneration": "tenancy"})

	start := time.Now()
	token := invite("ann@acme.example", time.Hour, time.Now())
	up, err := signUp(ctx, s, "ann@acme.example", token.Reveal())
	if err != nil {
		t.Fatalf("SignUp with a valid invitation: %v", err)
	}
	if !up.UserConfirmed {
		t.Fatal("a valid invitation must auto-confirm the user")
	}
	timing(t, "sign-up (invitation, confirm)", start)

	user, err := s.cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.poolID), Username: aws.String("ann@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for _, a := range user.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if attrs["custom:tenantId"] != "acme" || attrs["email_verified"] != "true" {
		t.Errorf("post-confirmation did not bind the tenant: %v", attrs)
	}
	if sent := ses.Emails(); len(sent) != 1 || sent[0].To != "ann@acme.example" {
		t.Errorf("welcome emails %+v, want one to ann@acme.example", sent)
	}

	start = time.Now()
	auth, err := signIn(ctx, s, "ann@acme.example", password)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	timing(t, "sign-in (pre-token claims)", start)
	id := claims(t, aws.ToString(auth.AuthenticationResult.IdToken))
	for k, want := range map[string]string{"tenant_id": "acme", "tenant_name": "Acme", "tenant_role": "admin", "tenant_tier": "pro"} {
		if id[k] != want {
			t.Errorf("ID token claim %s = %v, want %s (claims %v)", k, id[k], want, id)
		}
	}

	// The same invitation again, for someone else: refused, with our words.
	_, err = signUp(ctx, s, "ann@acme.example.evil", token.Reveal())
	if err == nil || !strings.Contains(err.Error(), "invitation") {
		t.Errorf("reused invitation: %v", err)
	}
	// An expired invitation.
	expired := invite("bob@acme.example", time.Minute, time.Now().Add(-time.Hour))
	_, err = signUp(ctx, s, "bob@acme.example", expired.Reveal())
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "expired") {
		t.Errorf("expired invitation: %v", err)
	}
	// No invitation at all.
	if _, err := signUp(ctx, s, "carl@acme.example", ""); err == nil {
		t.Error("a sign-up without an invitation was accepted")
	}
	if strings.Contains(s.finalFuncLog(), token.Reveal()) {
		t.Error("the invitation token reached the function's log")
	}
	if sent := ses.Emails(); len(sent) != 1 {
		t.Errorf("%d welcome emails after the sign-in and the refusals, want still the one", len(sent))
	}
}

// TestLazyMigration: a user who exists only in the legacy service signs in
// → user migration → the user is in the pool with mapped attributes and
// signs in again without the legacy service; with the legacy service down,
// sign-in of another legacy user fails fast with our message and succeeds
// once it is back.
func TestLazyMigration(t *testing.T) {
	ctx := context.Background()
	fixture := migrationtest.Fixture(t)
	legacy := migrationtest.NewIdentityService(t, migrationtest.LegacyUsers(fixture)...)
	db := dynamotest.Client(t)
	tracking := dynamotest.CreateTable(t, db, dynamotracker.TableDefinition("e2e-migration"))
	s := startStack(t,
		[]function{{name: "migration", handler: "migration", env: []string{
			"COGNITRIG_MIGRATION_TABLE=" + tracking,
			"COGNITRIG_LEGACY_TOKEN_URL=" + legacy.TokenURL,
			"COGNITRIG_LEGACY_USERINFO_URL=" + legacy.UserInfoURL,
			"COGNITRIG_LEGACY_CLIENT_ID=" + migrationtest.ClientID,
			"COGNITRIG_LEGACY_CLIENT_SECRET=" + migrationtest.ClientSecret,
			"COGNITRIG_BREAKER_MAX_FAILURES=2", "COGNITRIG_BREAKER_OPEN_SECONDS=1",
		}}},
		map[string]string{"UserMigration": "migration"})

	alice, bob := fixture[0], fixture[1]
	start := time.Now()
	if _, err := signIn(ctx, s, alice.Username, alice.Password.Reveal()); err != nil {
		t.Fatalf("migrating sign-in: %v", err)
	}
	timing(t, "sign-in with migration", start)
	// cognito-local names a migrated user with a random UUID (real Cognito
	// keeps the name entered); with e-mail usernames the user is reachable
	// by e-mail address, so the rest of the flow uses that.
	aliceEmail := alice.Fields["email"]
	user, err := s.cognito.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.poolID), Username: aws.String(aliceEmail)})
	if err != nil {
		t.Fatalf("the migrated user is not in the pool: %v", err)
	}
	attrs := map[string]string{}
	for _, a := range user.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if attrs["email"] != "alice@example.com" || attrs["given_name"] != "Alice" || user.UserStatus != types.UserStatusTypeConfirmed {
		t.Errorf("migrated user: status %s, attributes %v", user.UserStatus, attrs)
	}

	// The legacy service goes down: the migrated user still signs in.
	legacy.SetFault(migrationtest.Failing)
	start = time.Now()
	if _, err := signIn(ctx, s, aliceEmail, alice.Password.Reveal()); err != nil {
		t.Fatalf("sign-in of a migrated user with the legacy service down: %v", err)
	}
	timing(t, "sign-in of a migrated user", start)

	// Another legacy user cannot migrate now: a fast, clear failure.
	// cognito-local turns every UserMigration error into
	// NotAuthorizedException and drops the text (real Cognito returns it in
	// a UserLambdaValidationException), so the message is checked where the
	// function gave it: its answer, in its log.
	for i := range 3 {
		start = time.Now()
		_, err := signIn(ctx, s, bob.Username, bob.Password.Reveal())
		elapsed := time.Since(start)
		if err == nil {
			t.Fatalf("attempt %d with the legacy service down succeeded", i)
		}
		if elapsed > 4*time.Second {
			t.Errorf("attempt %d took %v: sign-in must fail before Cognito's 5 s", i, elapsed)
		}
		timing(t, "sign-in, legacy down", start)
	}
	// The function writes its log a moment after it answers: give the
	// last lines up to a second to arrive.
	failures := func() int {
		return len(logLines(s.funcLog.String(), `"trigger refused"`, `"userName":"b***"` /* bob, masked by Logging */, "Sign-in is temporarily unavailable, try again shortly."))
	}
	for deadline := time.Now().Add(time.Second); failures() < 3 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := failures(); n != 3 {
		t.Errorf("%d of 3 failed sign-ins answered with the unavailable message", n)
	}
	if !strings.Contains(s.funcLog.String(), `"LegacyBreakerOpened":1`) {
		t.Error("the breaker did not open")
	}

	// Back up: after the breaker's open interval the next sign-in migrates.
	legacy.SetFault(migrationtest.Healthy)
	var ok bool
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if _, err = signIn(ctx, s, bob.Username, bob.Password.Reveal()); err == nil {
			ok = true
			break
		}
	}
	if !ok {
		t.Fatalf("sign-in did not recover after the legacy service came back: %v", err)
	}
	log := s.finalFuncLog()
	for _, f := range fixture {
		if strings.Contains(log, f.Password.Reveal()) {
			t.Errorf("the password of %s reached the function's log", f.Username)
		}
	}
}

// TestCustomMessages: the messages Cognito sends carry our templates.
// cognito-local prints each message it would deliver.
func TestCustomMessages(t *testing.T) {
	ctx := context.Background()
	s := startStack(t,
		[]function{{name: "messages", handler: "messages"}},
		map[string]string{"CustomMessage": "messages"})
	start := time.Now()
	if _, err := signUp(ctx, s, "dora@example.com", ""); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	timing(t, "sign-up with custom message", start)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.cognitoLog.String(), "Email Message") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	log := s.cognitoLog.String()
	if !strings.Contains(log, "Email Subject") {
		t.Fatalf("cognito-local delivered no message:\n%s", tail(log, 3000))
	}
	if os.Getenv("COGNITRIG_E2E_DEBUG") != "" {
		t.Log(tail(log, 3000))
	}
	// The subject of handlers/messages' sign-up template (compose/messages.DefaultMessages).
	if len(logLines(log, "Email Subject", "Confirm your email address")) != 1 {
		t.Errorf("the delivered message is not our template:\n%s", tail(log, 3000))
	}
}

// logLines returns the lines of log that contain every one of subs.
func logLines(log string, subs ...string) []string {
	var out []string
next:
	for _, line := range strings.Split(log, "\n") {
		for _, sub := range subs {
			if !strings.Contains(line, sub) {
				continue next
			}
		}
		out = append(out, line)
	}
	return out
}
