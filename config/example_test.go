package config_test

import (
	"fmt"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/pretoken"
	"github.com/cognitrig/cognitrig/triggers"
)

// A team's own main reads the tenancy settings the shipped function reads,
// with the same names, defaults and checks, and builds the token handler
// on its own router. In the function, the lookup is os.LookupEnv, the
// store dynamostore.New(dynamodb.NewFromConfig(awsCfg), t.Table), and the
// last line lambda.Start(r).
func Example_teamMain() {
	lookup := config.Map(map[string]string{ // os.LookupEnv
		config.EnvTenancyTable: "tenancy",
		config.EnvScopeMap:     "admin=read,write;member=read",
		config.EnvGroupPattern: "tenant-{id}-{role}",
	})

	t, err := config.LoadTenancy(lookup)
	if err != nil {
		panic(err) // log.Fatal: every bad variable, one a line
	}
	groups, err := tenancy.ParseGroupConvention(t.GroupPattern)
	if err != nil {
		panic(fmt.Errorf("%s: %w", config.EnvGroupPattern, err))
	}
	store := tenancy.NewMemoryStore() // dynamostore.New(dynamodb.NewFromConfig(awsCfg), t.Table)
	cache, err := tenancy.NewCache(store, tenancy.CacheConfig{})
	if err != nil {
		panic(err)
	}
	resolver, err := tenancy.NewResolver(tenancy.ResolverConfig{
		Reader: cache,
		Steps:  []tenancy.Step{tenancy.FromAttribute(tenancy.TenantAttribute), tenancy.FromGroups(groups), tenancy.FromMemberships()},
	})
	if err != nil {
		panic(err)
	}
	tokens, err := pretoken.New(pretoken.Config{Resolver: resolver, Scopes: t.Scopes, Groups: groups, DropOtherTenantGroups: true})
	if err != nil {
		panic(fmt.Errorf("%s: %w", config.EnvScopeMap, err))
	}
	r := triggers.NewRouter()
	tokens.Register(r)
	fmt.Println(r.Registered())
	// Output:
	// [PreTokenGeneration(v1) PreTokenGeneration(v2/v3)]
}

// A function that cannot start says why, naming every bad variable at once
// and quoting no secret.
func ExampleLoadMigration() {
	_, err := config.LoadMigration(config.Map(map[string]string{
		config.EnvLegacyTokenURL:     "http://idp.example.com/token",
		config.EnvLegacyNameKey:      "c2hvcnQtU0VDUkVU",
		config.EnvBreakerOpenSeconds: "soon",
	}))
	fmt.Println(err)
	// Output:
	// COGNITRIG_MIGRATION_TABLE: is required and not set
	// COGNITRIG_BREAKER_OPEN_SECONDS: "soon" is not a whole number from 1 to 3600
	// COGNITRIG_LEGACY_NAME_KEY: is not base64 of 32 or more random bytes (openssl rand -base64 32)
	// COGNITRIG_LEGACY_TOKEN_URL: uses plain http: use https (http is only for localhost)
	// COGNITRIG_LEGACY_USERINFO_URL: is required and not set
	// COGNITRIG_LEGACY_CLIENT_ID: is required and not set
}

func ExampleParseSequence() {
	seq, err := config.ParseSequence("password, captcha, security-question")
	fmt.Println(seq.Password, seq.Steps, err)
	_, err = config.ParseSequence("password,fingerprint")
	fmt.Println(err)
	// Output:
	// true [captcha security-question] <nil>
	// unknown step "fingerprint": use captcha, security-question, email-otp, sms-otp, email-or-sms-otp, magic-link, after an optional password
}
