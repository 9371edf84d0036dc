package migration_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/httpsource"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// TestPasswordNeverLeaks runs every path of the trigger (migrated, wrong
// password, unknown user, forgotten password with and without a contact,
// legacy failing, hung and behind an open breaker) with logs at Debug, and
// proves that no password, token, client secret or password hash appears in
// the logs, the errors, the EMF metrics or the tracking table. Every secret
// of the fixtures and the recorded events contains "SECRET".
func TestPasswordNeverLeaks(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		tr := migration.NewMemoryTracker(migration.TrackerOptions{})
		dump := func() string {
			var b strings.Builder
			for _, o := range migration.Outcomes() {
				for r, err := range tr.List(context.Background(), o) {
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&b, "%+v\n%#v\n", r, r)
				}
			}
			return b.String()
		}
		leakTest(t, tr, dump)
	})
	t.Run("dynamodb", func(t *testing.T) {
		client := dynamotest.Client(t)
		table := dynamotest.CreateTable(t, client, dynamotracker.TableDefinition("migration-leak"))
		tr, err := dynamotracker.New(dynamotracker.Config{Client: client, Table: table})
		if err != nil {
			t.Fatal(err)
		}
		dump := func() string {
			// The raw items, every attribute of every item.
			var b strings.Builder
			for _, it := range dynamotest.Items(t, client, table) {
				for k, v := range it {
					fmt.Fprintf(&b, "%s=%+v\n", k, v)
				}
			}
			return b.String()
		}
		leakTest(t, tr, dump)
	})
}

func leakTest(t *testing.T, tracker migration.Tracker, dumpTracking func() string) {
	users := migrationtest.Fixture(t)
	idp := migrationtest.NewIdentityService(t, migrationtest.LegacyUsers(users)...)
	src, err := httpsource.New(httpsource.Config{
		TokenURL: idp.TokenURL, UserInfoURL: idp.UserInfoURL, LookupURL: idp.LookupURL,
		ClientID: migrationtest.ClientID, ClientSecret: migrationtest.ClientSecret, UsernameClaim: "username",
	})
	if err != nil {
		t.Fatal(err)
	}
	logs, metrics := &triggertest.Log{}, &triggertest.Log{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := migration.New(migration.Config{Source: src, Guard: testGuard(), Tracker: tracker, Logger: logger, EnableSMSMFA: true})
	if err != nil {
		t.Fatal(err)
	}
	router := triggers.NewRouter(triggers.WithMiddleware(append(triggers.Default(logger), triggers.Metrics(metrics, "cognitrig"))...))
	h.Register(router)

	var errs strings.Builder
	invoke := func(payload []byte) {
		_, err := triggertest.Invoke(router, payload, lambdaTimeout)
		if err != nil {
			fmt.Fprintf(&errs, "%v | %+v | %#v\n", err, err, err)
			if u, ok := err.(interface{ Unwrap() error }); ok && u.Unwrap() != nil {
				fmt.Fprintf(&errs, "cause: %v\n", u.Unwrap())
			}
		}
	}
	auth := func(name string, pw triggers.Secret) []byte {
		return triggertest.From(t, "UserMigration_Authentication").Set("userName", name).Set("request.password", pw.Reveal()).JSON(t)
	}
	forgot := func(name string) []byte {
		return triggertest.From(t, "UserMigration_ForgotPassword").Set("userName", name).JSON(t)
	}
	alice, bob, carol := users[0], users[1], users[2]
	invoke(auth(alice.Username, alice.Password))                // migrated
	invoke(auth(bob.Username, "pw-SECRET-wrong-guess"))         // wrong password
	invoke(auth("mallory", "pw-SECRET-mallory"))                // unknown user
	invoke(forgot(carol.Username))                              // forgot, verified phone
	invoke(forgot("dave"))                                      // forgot, no contact
	invoke(triggertest.Load(t, "UserMigration_Authentication")) // the recorded event as is
	idp.SetFault(migrationtest.Hang)
	invoke(auth(bob.Username, bob.Password))     // hung: attempts time out, the breaker opens
	invoke(auth(carol.Username, carol.Password)) // open breaker
	time.Sleep(150 * time.Millisecond)
	idp.SetFault(migrationtest.Failing)
	invoke(auth(carol.Username, carol.Password)) // a failing probe

	tracking := dumpTracking()
	haystacks := map[string]string{"logs": logs.String(), "errors": errs.String(), "metrics": metrics.String(), "tracking": tracking}
	// The haystacks must hold what they should, or the test proves nothing.
	for name, want := range map[string]string{"logs": `"userName":"a***"` /* alice, masked by Logging */, "errors": migration.DefaultRefusalMessage, "metrics": `"Migrated":1`, "tracking": h.NameDigest("mallory")} {
		if !strings.Contains(haystacks[name], want) {
			t.Fatalf("%s lack %q; the check below would prove nothing:\n%s", name, want, haystacks[name])
		}
	}
	if !strings.Contains(errs.String(), migration.DefaultUnavailableMessage) || !strings.Contains(logs.String(), "legacy call failed") {
		t.Fatal("the failure paths did not run")
	}
	for name, text := range haystacks {
		if i := strings.Index(text, "SECRET"); i >= 0 {
			t.Errorf("%s hold a secret: …%s…", name, text[max(0, i-80):min(len(text), i+40)])
		}
		for _, u := range users {
			if strings.Contains(text, u.PasswordHash.Reveal()) {
				t.Errorf("%s hold %s's password hash", name, u.Username)
			}
		}
	}
}
