package federation_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/federation"
	"github.com/cognitrig/cognitrig/tenancy/internal/tabletest"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

var now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func native(name, email, verified string) awsfake.CognitoUser {
	return awsfake.CognitoUser{Username: name, Status: "CONFIRMED", Enabled: true,
		Attributes: map[string]string{"email": email, "email_verified": verified}}
}

func newLinker(t *testing.T, cog *awsfake.CognitoPool, store federation.LinkStore, cfg federation.Config) *federation.Linker {
	t.Helper()
	cfg.Cognito, cfg.Store, cfg.Now = cog.Client(), store, func() time.Time { return now }
	if cfg.Providers == nil {
		cfg.Providers = []string{"Google", "Google_Workspace"}
	}
	l, err := federation.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// external is the recorded federated sign-up: Google_109876543210987654321
// with jdoe@example.com, verified by Google.
func external(t *testing.T) *triggers.PreSignUpEvent {
	return triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_ExternalProvider")
}

func TestLink(t *testing.T) {
	stores := map[string]func(t *testing.T) tenancy.Store{
		"memory": func(*testing.T) tenancy.Store { return tenancy.NewMemoryStore() },
		"dynamodb": func(t *testing.T) tenancy.Store {
			s, _, _ := tabletest.Store(t)
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			cog := awsfake.NewCognitoPool(t)
			cog.AddUser(native("jdoe", "jdoe@example.com", "true"))
			cog.AddUser(native("someone", "someone@example.com", "true"))
			store := open(t)
			r := triggers.NewRouter()
			r.PreSignUp(newLinker(t, cog, store, federation.Config{}).PreSignUp)
			payload := triggertest.Load(t, "PreSignUp_ExternalProvider")

			// Cognito may retry: every attempt ends the same way, with one link.
			for range 2 {
				_, err := triggertest.Invoke(r, payload, 0)
				var refusal *triggers.Refusal
				if !errors.As(err, &refusal) || !errors.Is(err, federation.ErrLinked) || refusal.Message != federation.DefaultLinkedMessage {
					t.Fatalf("PreSignUp = %v, want the refusal that asks to sign in again", err)
				}
			}
			if n := cog.Calls("AdminLinkProviderForUser"); n != 1 {
				t.Fatalf("%d link calls, want 1", n)
			}
			u, _ := cog.User("jdoe")
			if !strings.Contains(u.Attributes["identities"], `"userId":"109876543210987654321"`) || !strings.Contains(u.Attributes["identities"], `"providerName":"Google"`) {
				t.Fatalf("identities of jdoe = %s", u.Attributes["identities"])
			}
			got, err := store.GetLink(context.Background(), "Google", "109876543210987654321")
			want := tenancy.Link{ProviderName: "Google", ProviderUserID: "109876543210987654321", UserPoolID: awsfake.CognitoPoolID, DestinationUser: "jdoe", LinkedAt: now}
			if err != nil || got != want {
				t.Fatalf("audit record = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

// The link was made but the audit record was lost (the function timed out
// in between): the retry sees the identity on the user, does not link
// again, and records.
func TestLinkWithoutRecord(t *testing.T) {
	cog := awsfake.NewCognitoPool(t)
	cog.AddUser(native("jdoe", "jdoe@example.com", "true"))
	first := newLinker(t, cog, tenancy.NewMemoryStore(), federation.Config{})
	if err := first.PreSignUp(context.Background(), external(t)); !errors.Is(err, federation.ErrLinked) {
		t.Fatal(err)
	}
	store := tenancy.NewMemoryStore() // the record never made it
	err := newLinker(t, cog, store, federation.Config{}).PreSignUp(context.Background(), external(t))
	if !errors.Is(err, federation.ErrLinked) || cog.Calls("AdminLinkProviderForUser") != 1 {
		t.Fatalf("retry = %v after %d link calls; want no second link", err, cog.Calls("AdminLinkProviderForUser"))
	}
	if _, err := store.GetLink(context.Background(), "Google", "109876543210987654321"); err != nil {
		t.Fatalf("retry did not record: %v", err)
	}
}

func TestNoLink(t *testing.T) {
	for _, tc := range []struct {
		name  string
		users []awsfake.CognitoUser
		edit  func(*triggers.PreSignUpEvent)
		cfg   federation.Config
	}{
		{name: "no user with the email", users: []awsfake.CognitoUser{native("x", "other@example.com", "true")}},
		{name: "existing user's email unverified", users: []awsfake.CognitoUser{native("jdoe", "jdoe@example.com", "false")}},
		{name: "provider's email unverified", users: []awsfake.CognitoUser{native("jdoe", "jdoe@example.com", "true")},
			edit: func(ev *triggers.PreSignUpEvent) { ev.Request.UserAttributes["email_verified"] = "false" }},
		{name: "existing user disabled", users: []awsfake.CognitoUser{{Username: "jdoe", Status: "CONFIRMED", Enabled: false,
			Attributes: map[string]string{"email": "jdoe@example.com", "email_verified": "true"}}}},
		{name: "only a federated user has the email", users: []awsfake.CognitoUser{{Username: "Facebook_1", Status: "EXTERNAL_PROVIDER", Enabled: true,
			Attributes: map[string]string{"email": "jdoe@example.com", "email_verified": "true"}}}},
		{name: "two users have the email", users: []awsfake.CognitoUser{native("jdoe", "jdoe@example.com", "true"), native("jdoe2", "jdoe@example.com", "true")}},
		{name: "provider not configured", users: []awsfake.CognitoUser{native("jdoe", "jdoe@example.com", "true")}, cfg: federation.Config{Providers: []string{"Okta"}}},
		{name: "no email", users: []awsfake.CognitoUser{native("jdoe", "jdoe@example.com", "true")},
			edit: func(ev *triggers.PreSignUpEvent) { delete(ev.Request.UserAttributes, "email") }},
		{name: "email with a quote", users: []awsfake.CognitoUser{native("jdoe", "jdoe@example.com", "true")},
			edit: func(ev *triggers.PreSignUpEvent) {
				ev.Request.UserAttributes["email"] = `jdoe@example.com" or email = "x`
			}},
		{name: "a native sign-up", users: []awsfake.CognitoUser{native("jdoe", "jdoe@example.com", "true")},
			edit: func(ev *triggers.PreSignUpEvent) { ev.TriggerSource = triggers.PreSignUpSignUp }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cog := awsfake.NewCognitoPool(t)
			for _, u := range tc.users {
				cog.AddUser(u)
			}
			store := tenancy.NewMemoryStore()
			ev := external(t)
			if tc.edit != nil {
				tc.edit(ev)
			}
			if err := newLinker(t, cog, store, tc.cfg).PreSignUp(context.Background(), ev); err != nil {
				t.Fatalf("PreSignUp = %v, want the sign-up to go on unlinked", err)
			}
			if n := cog.Calls("AdminLinkProviderForUser"); n != 0 {
				t.Fatalf("%d link calls, want none", n)
			}
			if _, err := store.GetLink(context.Background(), "Google", "109876543210987654321"); !errors.Is(err, tenancy.ErrNotFound) {
				t.Fatalf("an audit record was written: %v", err)
			}
		})
	}
}

func TestTrustedProvider(t *testing.T) {
	cog := awsfake.NewCognitoPool(t)
	cog.AddUser(native("jdoe", "jdoe@example.com", "true"))
	ev := external(t)
	ev.UserName = "corp-saml_jdoe@corp"
	delete(ev.Request.UserAttributes, "email_verified")
	l := newLinker(t, cog, tenancy.NewMemoryStore(), federation.Config{Providers: []string{"Corp-SAML"}, TrustedEmailProviders: []string{"Corp-SAML"}})
	if err := l.PreSignUp(context.Background(), ev); !errors.Is(err, federation.ErrLinked) {
		t.Fatalf("trusted provider without email_verified = %v, want a link", err)
	}
	u, _ := cog.User("jdoe")
	if !strings.Contains(u.Attributes["identities"], `"providerName":"Corp-SAML"`) || !strings.Contains(u.Attributes["identities"], `"userId":"jdoe@corp"`) {
		t.Fatalf("identities = %s; want the configured provider name and the subject", u.Attributes["identities"])
	}
}

func TestFailures(t *testing.T) {
	cog := awsfake.NewCognitoPool(t)
	cog.AddUser(native("jdoe", "jdoe@example.com", "true"))
	store := tenancy.NewMemoryStore()
	l := newLinker(t, cog, store, federation.Config{})
	cog.FailNext("ListUsers", "TooManyRequestsException", "Rate exceeded")
	err := l.PreSignUp(context.Background(), external(t))
	var refusal *triggers.Refusal
	if err == nil || errors.As(err, &refusal) || !strings.Contains(err.Error(), "find users by email") {
		t.Fatalf("throttled ListUsers = %v", err)
	}
	cog.FailNext("AdminLinkProviderForUser", "InvalidParameterException", "Invalid SourceUser")
	err = l.PreSignUp(context.Background(), external(t))
	if err == nil || !strings.Contains(err.Error(), "link Google identity to existing user jdoe") {
		t.Fatalf("failed link = %v", err)
	}
	if _, err := store.GetLink(context.Background(), "Google", "109876543210987654321"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Fatal("a failed link was recorded")
	}
	for _, cfg := range []federation.Config{
		{Store: store, Providers: []string{"Google"}},
		{Cognito: cog.Client(), Providers: []string{"Google"}},
		{Cognito: cog.Client(), Store: store},
		{Cognito: cog.Client(), Store: store, Providers: []string{"Cognito"}},
	} {
		if _, err := federation.New(cfg); err == nil || !strings.Contains(err.Error(), "Config.") {
			t.Errorf("New(%+v) = %v, want an error naming the field", cfg, err)
		}
	}
}
