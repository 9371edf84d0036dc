package migration_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

type rig struct {
	router  *triggers.Router
	handler *migration.Handler
	tracker *migration.MemoryTracker
	users   []migrationtest.FixtureUser
	logs    *bytes.Buffer
	metrics *bytes.Buffer
}

// newRig serves the fixture users from a MemorySource through a router with
// the default middleware and metrics.
func newRig(t *testing.T, mod func(*migration.Config)) *rig {
	t.Helper()
	users := migrationtest.Fixture(t)
	src, err := migration.NewMemorySource(migrationtest.LegacyUsers(users)...)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{tracker: migration.NewMemoryTracker(migration.TrackerOptions{}), users: users, logs: &bytes.Buffer{}, metrics: &bytes.Buffer{}}
	logger := slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := migration.Config{Source: src, Tracker: r.tracker, Logger: logger}
	if mod != nil {
		mod(&cfg)
	}
	r.handler, err = migration.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.router = triggers.NewRouter(triggers.WithMiddleware(append(triggers.Default(logger), triggers.Metrics(r.metrics, "cognitrig"))...))
	r.handler.Register(r.router)
	return r
}

func authEvent(t *testing.T, user string, password triggers.Secret) []byte {
	return triggertest.From(t, "UserMigration_Authentication").Set("userName", user).Set("request.password", password.Reveal()).JSON(t)
}

func forgotEvent(t *testing.T, user string) []byte {
	return triggertest.From(t, "UserMigration_ForgotPassword").Set("userName", user).JSON(t)
}

func (r *rig) invoke(t *testing.T, payload []byte) (*triggers.UserMigrationEvent, error) {
	t.Helper()
	out, err := triggertest.Invoke(r.router, payload, 0)
	if err != nil {
		return nil, err
	}
	ev := new(triggers.UserMigrationEvent)
	if err := json.Unmarshal(out, ev); err != nil {
		t.Fatal(err)
	}
	return ev, nil
}

func (r *rig) record(t *testing.T, name string) migration.Record {
	t.Helper()
	rec, err := r.tracker.Get(context.Background(), name)
	if err != nil {
		t.Fatalf("tracking record of %s: %v", name, err)
	}
	return rec
}

func TestAuthenticationMigratesWithDefaults(t *testing.T) {
	r := newRig(t, nil)
	alice := r.users[0]
	ev, err := r.invoke(t, authEvent(t, alice.Username, alice.Password))
	if err != nil {
		t.Fatal(err)
	}
	resp := ev.Response
	want := map[string]string{"email": "alice@example.com", "email_verified": "true", "phone_number": "+15550100001", "given_name": "Alice"}
	if !equalMaps(resp.UserAttributes, want) {
		t.Fatalf("attributes %v, want %v (unmapped legacy fields dropped)", resp.UserAttributes, want)
	}
	if resp.FinalUserStatus != "CONFIRMED" || resp.MessageAction != "SUPPRESS" || resp.ForceAliasCreation || resp.EnableSMSMFA || resp.DesiredDeliveryMediums != nil {
		t.Fatalf("response %+v: want CONFIRMED, SUPPRESS, no alias forcing, no SMS MFA, no mediums", resp)
	}
	if rec := r.record(t, "alice"); rec.Outcome != migration.OutcomeMigrated || rec.TriggerSource != triggers.UserMigrationAuthentication || rec.UserPoolID != "us-east-1_EXAMPLE1" {
		t.Fatalf("record %+v", rec)
	}
	if !strings.Contains(r.metrics.String(), `"Migrated":1`) {
		t.Fatalf("metrics lack Migrated: %s", r.metrics.String())
	}
}

func TestAuthenticationWithMappingAndOptions(t *testing.T) {
	r := newRig(t, func(c *migration.Config) {
		c.Mapping = migration.Mapping{"email": "email", "phone_number": "phone_number", "plan": "custom:plan", "legacy_id": "custom:legacy_id", "nickname": "nickname"}
		c.DesiredDeliveryMediums = []string{"EMAIL", "SMS", "EMAIL"}
		c.MessageAction = triggers.MessageActionResend
		c.FinalUserStatus = triggers.UserStatusResetRequired
		c.ForceAliasCreation = true
		c.EnableSMSMFA = true
		c.TrustLegacyEmail = true
	})
	alice, dave := r.users[0], r.users[3]
	ev, err := r.invoke(t, authEvent(t, alice.Username, alice.Password))
	if err != nil {
		t.Fatal(err)
	}
	resp := ev.Response
	want := map[string]string{"email": "alice@example.com", "email_verified": "true", "phone_number": "+15550100001", "custom:plan": "gold", "custom:legacy_id": "1001"}
	if !equalMaps(resp.UserAttributes, want) {
		t.Fatalf("attributes %v, want %v", resp.UserAttributes, want)
	}
	if !slices.Equal(resp.DesiredDeliveryMediums, []string{"EMAIL", "SMS"}) || !resp.EnableSMSMFA || !resp.ForceAliasCreation ||
		resp.MessageAction != "RESEND" || resp.FinalUserStatus != "RESET_REQUIRED" {
		t.Fatalf("response %+v", resp)
	}
	// dave has neither email nor phone: no medium, no SMS MFA (Cognito
	// would reject either).
	ev, err = r.invoke(t, authEvent(t, dave.Username, dave.Password))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Response.DesiredDeliveryMediums != nil || ev.Response.EnableSMSMFA || ev.Response.UserAttributes["nickname"] != "dave" {
		t.Fatalf("response %+v", ev.Response)
	}
}

func TestNotFoundAndWrongPasswordLookTheSame(t *testing.T) {
	r := newRig(t, nil)
	alice := r.users[0]
	_, errWrong := r.invoke(t, authEvent(t, alice.Username, "pw-SECRET-wrong"))
	_, errUnknown := r.invoke(t, authEvent(t, "mallory", "pw-SECRET-wrong"))
	_, errForgotUnknown := r.invoke(t, forgotEvent(t, "mallory"))
	_, errNoPassword := r.invoke(t, authEvent(t, alice.Username, ""))
	for _, err := range []error{errWrong, errUnknown, errForgotUnknown, errNoPassword} {
		if err == nil || err.Error() != migration.DefaultRefusalMessage {
			t.Fatalf("refusal %v, want exactly %q", err, migration.DefaultRefusalMessage)
		}
	}
	if rec := r.record(t, r.handler.NameDigest("alice")); rec.Outcome != migration.OutcomeWrongPassword {
		t.Fatalf("alice: %+v", rec)
	}
	if rec := r.record(t, r.handler.NameDigest("mallory")); rec.Outcome != migration.OutcomeNotFound || rec.Attempts != 2 {
		t.Fatalf("mallory: %+v", rec)
	}
	if !strings.Contains(r.logs.String(), "USER_PASSWORD_AUTH") {
		t.Fatal("a sign-in without a password does not log why it cannot migrate")
	}
	if r.handler.Guard().Counts().TotalFailures != 0 {
		t.Fatal("refusals counted as legacy failures")
	}
}

func TestForgotPasswordNeedsAVerifiedContact(t *testing.T) {
	r := newRig(t, nil)
	ev, err := r.invoke(t, forgotEvent(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Response.FinalUserStatus != "" || ev.Response.MessageAction != "SUPPRESS" || ev.Response.UserAttributes["email_verified"] != "true" {
		t.Fatalf("response %+v", ev.Response)
	}
	if rec := r.record(t, "alice"); rec.Outcome != migration.OutcomeMigrated || rec.TriggerSource != triggers.UserMigrationForgotPassword {
		t.Fatalf("record %+v", rec)
	}
	// carol has a verified phone only: fine.
	if _, err := r.invoke(t, forgotEvent(t, "carol")); err != nil {
		t.Fatal(err)
	}
	// bob's email is not verified; dave has no contact at all.
	for _, name := range []string{"bob", "dave"} {
		_, err := r.invoke(t, forgotEvent(t, name))
		if err == nil || err.Error() != migration.DefaultRefusalMessage {
			t.Fatalf("%s: %v", name, err)
		}
		if rec := r.record(t, name); rec.Outcome != migration.OutcomeNoContact {
			t.Fatalf("%s: %+v", name, rec)
		}
	}
	// TrustLegacyEmail fills in a missing flag, but does not overrule the
	// legacy system: bob's email_verified says "false".
	r = newRig(t, func(c *migration.Config) { c.TrustLegacyEmail = true })
	if _, err := r.invoke(t, forgotEvent(t, "bob")); err == nil {
		t.Fatal("TrustLegacyEmail overruled the legacy email_verified=false")
	}
	r = newRig(t, func(c *migration.Config) {
		c.TrustLegacyEmail = true
		c.Mapping = migration.Mapping{"email": "email"} // the legacy flag is not mapped
	})
	ev, err = r.invoke(t, forgotEvent(t, "bob"))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Response.UserAttributes["email_verified"] != "true" {
		t.Fatalf("response %+v", ev.Response)
	}
}

func TestConfigErrors(t *testing.T) {
	src, _ := migration.NewMemorySource()
	cases := map[string]migration.Config{
		"Source":                 {},
		"FinalUserStatus":        {Source: src, FinalUserStatus: "UNCONFIRMED"},
		"MessageAction":          {Source: src, MessageAction: "SEND"},
		"DesiredDeliveryMediums": {Source: src, DesiredDeliveryMediums: []string{"PIGEON"}},
		"maps to sub":            {Source: src, Mapping: migration.Mapping{"id": "sub"}},
	}
	for want, cfg := range cases {
		if _, err := migration.New(cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New with a bad %s: %v", want, err)
		}
	}
}

func TestWrongTriggerSource(t *testing.T) {
	r := newRig(t, nil)
	ev := triggertest.Decode[triggers.UserMigrationEvent](t, "UserMigration_Authentication")
	ev.TriggerSource = triggers.PreSignUpSignUp
	if err := r.handler.Handle(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "not a user migration") {
		t.Fatalf("err = %v", err)
	}
}

// failingTracker fails every write.
type failingTracker struct{ migration.MemoryTracker }

func (*failingTracker) Record(context.Context, migration.Attempt) error {
	return errors.New("tracking table unreachable")
}

func TestTrackingFailureDoesNotFailTheSignIn(t *testing.T) {
	r := newRig(t, func(c *migration.Config) { c.Tracker = &failingTracker{} })
	alice := r.users[0]
	if _, err := r.invoke(t, authEvent(t, alice.Username, alice.Password)); err != nil {
		t.Fatalf("sign-in failed because tracking did: %v", err)
	}
	if !strings.Contains(r.metrics.String(), `"MigrationTrackingErrors":1`) || !strings.Contains(r.logs.String(), "tracking table unreachable") {
		t.Fatalf("tracking failure not counted and logged:\n%s\n%s", r.metrics.String(), r.logs.String())
	}
}

func TestLookupUnsupported(t *testing.T) {
	src := &stubSource{fn: func(context.Context, int64) (*migration.User, error) {
		return nil, errors.ErrUnsupported
	}}
	h, err := migration.New(migration.Config{Source: src, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ev := triggertest.Decode[triggers.UserMigrationEvent](t, "UserMigration_ForgotPassword")
	if err := h.Handle(context.Background(), ev); err == nil || err.Error() != migration.DefaultRefusalMessage {
		t.Fatalf("err = %v", err)
	}
	if h.Guard().Counts().TotalFailures != 0 {
		t.Fatal("an unsupported lookup counted as a legacy failure")
	}
}
