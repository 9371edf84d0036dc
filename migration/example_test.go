package migration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/triggers"
)

// A legacy user store with one user whose password, hashed by Python's
// passlib (PBKDF2-SHA256), is "correct horse battery staple".
func exampleSource() *migration.MemorySource {
	src, err := migration.NewMemorySource(migration.LegacyUser{
		Username:     "jdoe",
		PasswordHash: "$pbkdf2-sha256$1000$AQIDBAUGBwgJCgsMDQ4PEA$m33AcPJmtZT4BCk55kw6VMWgiuKxPOc9CEFW8cSB5g8",
		Fields:       map[string]string{"mail": "jdoe@example.com", "mail_ok": "1", "plan": "gold", "internal": "x"},
	})
	if err != nil {
		panic(err)
	}
	return src
}

func Example() {
	h, err := migration.New(migration.Config{
		Source:  exampleSource(),
		Mapping: migration.Mapping{"mail": "email", "mail_ok": "email_verified", "plan": "custom:plan"},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	router := triggers.NewRouter(triggers.WithMiddleware(triggers.Deadline(triggers.DefaultDeadlineMargin)))
	h.Register(router)

	event := func(password string) []byte {
		return fmt.Appendf(nil, `{"version":"1","triggerSource":"UserMigration_Authentication","region":"us-east-1",
			"userPoolId":"us-east-1_EXAMPLE1","userName":"jdoe","callerContext":{"clientId":"1example"},
			"request":{"password":%q},"response":{}}`, password)
	}
	out, err := router.Invoke(context.Background(), event("correct horse battery staple"))
	if err != nil {
		panic(err)
	}
	var ev triggers.UserMigrationEvent
	_ = json.Unmarshal(out, &ev)
	fmt.Println(ev.Response.UserAttributes, ev.Response.FinalUserStatus, ev.Response.MessageAction)

	_, err = router.Invoke(context.Background(), event("guess"))
	fmt.Println(err)
	// Output:
	// map[custom:plan:gold email:jdoe@example.com email_verified:true] CONFIRMED SUPPRESS
	// Incorrect username or password.
}

func ExampleMapping_Apply() {
	m := migration.Mapping{"mail": "email", "verified": "email_verified", "tenant": "custom:tenant"}
	fmt.Println(m.Apply(map[string]string{"mail": "a@example.com", "verified": "yes", "tenant": "acme", "pwhash": "…"}))
	// A nil Mapping copies only fields already named like Cognito attributes.
	fmt.Println(migration.Mapping(nil).Apply(map[string]string{"email": "a@example.com", "sub": "42", "mail": "b@example.com"}))
	// The tenant attribute is never copied (DefaultDenyAttributes).
	fmt.Println(migration.Mapping(nil).Apply(map[string]string{"custom:plan": "gold", "custom:tenantId": "acme"}))
	// Output:
	// map[custom:tenant:acme email:a@example.com email_verified:true]
	// map[email:a@example.com]
	// map[custom:plan:gold]
}

func ExampleNameDigest() {
	key := []byte("0123456789abcdef0123456789abcdef") // from configuration, never a literal
	d := migration.NameDigest(key, "what someone typed")
	fmt.Println(d[:len(migration.NameDigestPrefix)], len(d), d == migration.NameDigest(key, "what someone typed"))
	// Output:
	// hmac-sha256: 55 true
}

// down is a legacy source that is down.
type down struct{}

func (down) Authenticate(context.Context, string, triggers.Secret) (*migration.User, error) {
	return nil, errors.New("connection refused")
}

func (down) Lookup(context.Context, string) (*migration.User, error) {
	return nil, errors.New("connection refused")
}

func ExampleGuard() {
	g, _ := migration.NewGuard(down{}, migration.GuardConfig{
		MaxAttempts: 1,
		Breaker:     migration.BreakerConfig{ConsecutiveFailures: 2, OpenFor: time.Minute},
		Logger:      slog.New(slog.DiscardHandler),
	})
	ctx := context.Background()
	for range 3 {
		_, err := g.Authenticate(ctx, "jdoe", "password")
		fmt.Println(g.State(), errors.Is(err, migration.ErrUnavailable))
	}
	// Output:
	// closed true
	// open true
	// open true
}
