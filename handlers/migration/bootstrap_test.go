package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	bt "github.com/cognitrig/cognitrig/handlers/internal/bootstraptest"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/internal/lambdart"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestMain(m *testing.M) { bt.Main(m) }

// The user of the recorded migration events, and the password they carry.
const (
	legacyName     = "legacy.user@example.com"
	legacyPassword = "pw-SECRET-Tr0ub4dor&3"
)

func legacyUser(t *testing.T) migration.LegacyUser {
	hash, err := passhash.Hash(passhash.Bcrypt, legacyPassword, migrationtest.CheapParams())
	if err != nil {
		t.Fatal(err)
	}
	return migration.LegacyUser{Username: legacyName, PasswordHash: triggers.Secret(hash),
		Fields: map[string]string{"email": legacyName, "email_verified": "true", "name": "Legacy User"}}
}

// sendAll sends every recorded event: the migration events must migrate
// the legacy user; the others are not served.
func sendAll(t *testing.T, fn *lambdart.Function) {
	for _, name := range triggertest.Names() {
		payload := triggertest.Load(t, name)
		res := bt.Invoke(t, fn, payload)
		if bt.Unserved(t, name, bt.TriggerOf(t, payload), res, triggers.UserMigration) {
			continue
		}
		bt.Answer(t, name, payload, res)
		var ev triggers.UserMigrationEvent
		_ = json.Unmarshal(res.Payload, &ev)
		r := ev.Response
		if r.UserAttributes["email"] != legacyName || r.UserAttributes["email_verified"] != "true" || r.MessageAction != triggers.MessageActionSuppress {
			t.Errorf("%s: response %+v", name, r)
		}
		if ev.TriggerSource == triggers.UserMigrationAuthentication && r.FinalUserStatus != triggers.UserStatusConfirmed {
			t.Errorf("%s: final status %q", name, r.FinalUserStatus)
		}
	}
	// A wrong password and an unknown user get one message.
	for label, payload := range map[string][]byte{
		"wrong password": triggertest.From(t, "UserMigration_Authentication").Set("request.password", "not-the-SECRET").JSON(t),
		"unknown user":   triggertest.From(t, "UserMigration_Authentication").Set("userName", "nobody@example.com").JSON(t),
	} {
		if msg := bt.Refusal(t, label, bt.Invoke(t, fn, payload)); msg != migration.DefaultRefusalMessage {
			t.Errorf("%s: %q", label, msg)
		}
	}
}

// TestBootstrapDynamoSource runs the shipped binary with a legacy table of
// password hashes and a tracking table, on the DynamoDB test server.
func TestBootstrapDynamoSource(t *testing.T) {
	bin := bt.Build(t, ".")
	legacy, tracking := bt.Table(t, bt.LegacyUsers), bt.Table(t, bt.Migration)
	client := dynamotest.Client(t)
	src, err := dynamosource.New(dynamosource.Config{Client: client, Table: legacy})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Put(context.Background(), legacyUser(t)); err != nil {
		t.Fatal(err)
	}
	nameKey := []byte("0123456789abcdef0123456789abcdef")
	fn, log := bt.Start(t, bin, append(bt.AWSEnv(nil),
		"COGNITRIG_MIGRATION_TABLE="+tracking, "COGNITRIG_LEGACY_USERS_TABLE="+legacy, "COGNITRIG_LOG_LEVEL=debug",
		"COGNITRIG_LEGACY_NAME_KEY="+base64.StdEncoding.EncodeToString(nameKey))...)
	sendAll(t, fn)

	tracker, err := dynamotracker.New(dynamotracker.Config{Client: client, Table: tracking})
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := tracker.Get(context.Background(), legacyName); err != nil || rec.Outcome != migration.OutcomeMigrated {
		t.Errorf("tracking record %+v, %v", rec, err)
	}
	// A name the legacy source did not confirm is kept only as its digest
	// under COGNITRIG_LEGACY_NAME_KEY.
	if rec, err := tracker.Get(context.Background(), migration.NameDigest(nameKey, "nobody@example.com")); err != nil || rec.Outcome != migration.OutcomeNotFound {
		t.Errorf("tracking record of an unknown user %+v, %v", rec, err)
	}
	if l := log.Final(); strings.Contains(l, "SECRET") || !strings.Contains(l, migration.MetricMigrated) {
		t.Errorf("the log holds a secret or lacks the migration metrics:\n%.3000s", l)
	}
}

// TestBootstrapHTTPSource runs the binary against a local OAuth2 legacy
// identity service, then makes the service fail: the breaker, set to open
// after two failures, makes later sign-ins fail at once.
func TestBootstrapHTTPSource(t *testing.T) {
	bin := bt.Build(t, ".")
	tracking := bt.Table(t, bt.Migration)
	idp := migrationtest.NewIdentityService(t, legacyUser(t))
	fn, log := bt.Start(t, bin, append(bt.AWSEnv(nil),
		"COGNITRIG_MIGRATION_TABLE="+tracking,
		"COGNITRIG_LEGACY_TOKEN_URL="+idp.TokenURL,
		"COGNITRIG_LEGACY_USERINFO_URL="+idp.UserInfoURL,
		"COGNITRIG_LEGACY_LOOKUP_URL="+idp.LookupURL,
		"COGNITRIG_LEGACY_CLIENT_ID="+migrationtest.ClientID,
		"COGNITRIG_LEGACY_CLIENT_SECRET="+migrationtest.ClientSecret,
		"COGNITRIG_BREAKER_MAX_FAILURES=2",
		"COGNITRIG_BREAKER_OPEN_SECONDS=600",
	)...)
	sendAll(t, fn)

	idp.SetFault(migrationtest.Failing)
	payload := triggertest.Load(t, "UserMigration_Authentication")
	if msg := bt.Refusal(t, "failing source", bt.Invoke(t, fn, payload)); msg != migration.DefaultUnavailableMessage {
		t.Errorf("failing source: %q", msg)
	}
	before := idp.Requests()
	if msg := bt.Refusal(t, "open breaker", bt.Invoke(t, fn, payload)); msg != migration.DefaultUnavailableMessage {
		t.Errorf("open breaker: %q", msg)
	}
	if after := idp.Requests(); after != before {
		t.Errorf("the open breaker let %d requests through", after-before)
	}
	if l := log.Final(); strings.Contains(l, "SECRET") {
		t.Errorf("a secret reached the log:\n%.3000s", l)
	}
}

// TestBadConfigurationFailsAtStart: every bad variable is named, and the
// function ends before it asks for an event.
func TestBadConfigurationFailsAtStart(t *testing.T) {
	bin := bt.Build(t, ".")
	base := append(bt.AWSEnv(nil), "AWS_REGION=us-east-1")
	for _, c := range []struct {
		env   []string
		names []string
	}{
		{nil, []string{"COGNITRIG_MIGRATION_TABLE", "COGNITRIG_LEGACY_TOKEN_URL, COGNITRIG_LEGACY_USERS_TABLE"}},
		{[]string{"COGNITRIG_MIGRATION_TABLE=t", "COGNITRIG_LEGACY_TOKEN_URL=https://idp.example.com/token", "COGNITRIG_LEGACY_USERS_TABLE=users"},
			[]string{"COGNITRIG_LEGACY_TOKEN_URL, COGNITRIG_LEGACY_USERS_TABLE: both are set"}},
		{[]string{"COGNITRIG_MIGRATION_TABLE=t", "COGNITRIG_LEGACY_TOKEN_URL=http://idp.example.com/token",
			"COGNITRIG_BREAKER_MAX_FAILURES=many", "COGNITRIG_BREAKER_OPEN_SECONDS=-1", "COGNITRIG_LEGACY_ATTRIBUTE_MAP=mail"},
			[]string{"COGNITRIG_LEGACY_TOKEN_URL: uses plain http", "COGNITRIG_LEGACY_USERINFO_URL: is required", "COGNITRIG_BREAKER_MAX_FAILURES",
				"COGNITRIG_BREAKER_OPEN_SECONDS", "COGNITRIG_LEGACY_ATTRIBUTE_MAP"}},
		{[]string{"COGNITRIG_MIGRATION_TABLE=t", "COGNITRIG_LEGACY_USERS_TABLE=users", "COGNITRIG_LEGACY_ATTRIBUTE_MAP=mail=sub"},
			[]string{"COGNITRIG_LEGACY_ATTRIBUTE_MAP"}},
	} {
		out := bt.StartFails(t, bin, append(base[:len(base):len(base)], c.env...)...)
		for _, name := range c.names {
			if !strings.Contains(out, name) {
				t.Errorf("%v: the error does not name %s:\n%s", c.env, name, out)
			}
		}
		if strings.Contains(out, "SECRET") {
			t.Errorf("a secret in the error: %s", out)
		}
	}
}

// TestNoTemplateExecution: this function sends no templated message, so
// it must not link template execution (see bt.NoTemplateExecution).
func TestNoTemplateExecution(t *testing.T) {
	bt.NoTemplateExecution(t, bt.Build(t, "."))
}
