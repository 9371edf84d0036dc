package pretoken_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/pretoken"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

var convention = tenancy.MustParseGroupConvention("tenant-{id}-{role}")

// jdoeSub is jdoe's sub in the recorded token-generation events:
// memberships are keyed by sub (issue 12 item 6).
const jdoeSub = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"

func newStore(t testing.TB) *tenancy.MemoryStore {
	t.Helper()
	ctx := context.Background()
	s := tenancy.NewMemoryStore()
	for _, tn := range []tenancy.Tenant{
		{ID: "acme", Name: "Acme", Organisation: "Acme Corporation Ltd", Status: tenancy.StatusActive, Tier: "pro"},
		{ID: "globex", Name: "Globex", Status: tenancy.StatusActive, Tier: "free"},
		{ID: "initech", Name: "Initech", Status: tenancy.StatusSuspended, Tier: "pro"},
	} {
		if err := s.PutTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []tenancy.Membership{
		{Sub: jdoeSub, UserName: "jdoe", TenantID: "acme", Role: "admin", Permissions: []string{"billing:manage", "users:invite"}},
	} {
		if err := s.PutMembership(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutClient(ctx, tenancy.Client{ClientID: "m2mclient0123456789abcdef", TenantID: "acme", Role: "viewer"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func newResolver(t testing.TB, r tenancy.Reader) *tenancy.Resolver {
	t.Helper()
	res, err := tenancy.NewResolver(tenancy.ResolverConfig{
		Reader: r,
		Steps: []tenancy.Step{
			tenancy.FromAttribute(tenancy.TenantAttribute),
			tenancy.FromGroups(convention),
			tenancy.FromMemberships(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func newHandler(t testing.TB, cfg pretoken.Config) *pretoken.Handler {
	t.Helper()
	if cfg.Resolver == nil {
		cfg.Resolver = cachedResolver(t, newStore(t))
	}
	h, err := pretoken.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func router(h *pretoken.Handler) *triggers.Router {
	r := triggers.NewRouter()
	h.Register(r)
	return r
}

func TestV2(t *testing.T) {
	for _, name := range []string{"TokenGeneration_Authentication.v2", "TokenGeneration_Authentication.v3", "TokenGeneration_RefreshTokens.v2", "TokenGeneration_HostedAuth.v3"} {
		t.Run(name, func(t *testing.T) {
			payload := triggertest.From(t, name).
				Set("request.groupConfiguration.groupsToOverride", []string{"everyone"}).
				Set("userName", "jdoe").
				UserAttribute("custom:tenantId", "acme").
				Set("request.scopes", []string{"openid", "tenant:acme:read"}).
				JSON(t)
			ev := triggertest.Run[triggers.PreTokenGenerationV2Event](t, router(newHandler(t, pretoken.Config{})), payload)
			d := ev.Response.ClaimsAndScopeOverrideDetails
			want := map[string]any{
				"tenant_id": "acme", "tenant_name": "Acme", "tenant_org": "Acme Corporation Ltd",
				"tenant_role": "admin", "tenant_tier": "pro",
			}
			if got := d.IDTokenGeneration.ClaimsToAddOrOverride; !jsonEqual(got, want) {
				t.Errorf("ID claims = %v, want %v", got, want)
			}
			wantAccess := map[string]any{
				"tenant_id": "acme", "tenant_role": "admin", "tenant_tier": "pro",
				"tenant_permissions": []string{"billing:manage", "users:invite"},
			}
			if got := d.AccessTokenGeneration.ClaimsToAddOrOverride; !jsonEqual(got, wantAccess) {
				t.Errorf("access claims = %v, want %v", got, wantAccess)
			}
			// read was requested already; write is added.
			if got := d.AccessTokenGeneration.ScopesToAdd; !slices.Equal(got, []string{"tenant:acme:write"}) {
				t.Errorf("scopesToAdd = %v, want [tenant:acme:write]", got)
			}
			if d.GroupOverrideDetails != nil {
				t.Errorf("groups overridden without configuration: %+v", d.GroupOverrideDetails)
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestV1(t *testing.T) {
	payload := triggertest.From(t, "TokenGeneration_Authentication.v1").
		Set("request.groupConfiguration.groupsToOverride", []string{}).
		JSON(t)
	h := newHandler(t, pretoken.Config{IDClaims: pretoken.Claims{Permissions: "perms"}, SuppressIDClaims: []string{"phone_number"}})
	ev := triggertest.Run[triggers.PreTokenGenerationV1Event](t, router(h), payload)
	d := ev.Response.ClaimsOverrideDetails
	want := map[string]string{
		"tenant_id": "acme", "tenant_name": "Acme", "tenant_org": "Acme Corporation Ltd",
		"tenant_role": "admin", "tenant_tier": "pro", "perms": `["billing:manage","users:invite"]`,
	}
	if !jsonEqual(d.ClaimsToAddOrOverride, want) || !slices.Equal(d.ClaimsToSuppress, []string{"phone_number"}) {
		t.Fatalf("v1 response = %+v, want claims %v and phone_number suppressed", d, want)
	}
}

func TestClientCredentials(t *testing.T) {
	h := newHandler(t, pretoken.Config{})
	ev := triggertest.Replay[triggers.PreTokenGenerationV2Event](t, router(h), "TokenGeneration_ClientCredentials.v3")
	d := ev.Response.ClaimsAndScopeOverrideDetails
	if d.IDTokenGeneration != nil {
		t.Fatalf("a client-credentials grant got ID token claims: %+v", d.IDTokenGeneration)
	}
	at := d.AccessTokenGeneration
	if !jsonEqual(at.ClaimsToAddOrOverride, map[string]any{"tenant_id": "acme", "tenant_role": "viewer", "tenant_tier": "pro"}) ||
		!slices.Equal(at.ScopesToAdd, []string{"tenant:acme:read"}) {
		t.Fatalf("access token = %+v", at)
	}

	unbound := triggertest.From(t, "TokenGeneration_ClientCredentials.v3").Set("callerContext.clientId", "unbound").JSON(t)
	_, err := triggertest.Invoke(router(h), unbound, 0)
	if !errors.Is(err, tenancy.ErrUnknownClient) {
		t.Fatalf("unbound client = %v, want a refusal for ErrUnknownClient", err)
	}
	lenient := newHandler(t, pretoken.Config{AllowUnboundClients: true})
	ev = triggertest.Run[triggers.PreTokenGenerationV2Event](t, router(lenient), unbound)
	if ev.Response.ClaimsAndScopeOverrideDetails != nil {
		t.Fatalf("AllowUnboundClients changed the response: %+v", ev.Response.ClaimsAndScopeOverrideDetails)
	}
}

func TestRefusals(t *testing.T) {
	r := router(newHandler(t, pretoken.Config{}))
	for _, tc := range []struct {
		name, tenant string
		reason       error
	}{
		{"suspended tenant", "initech", tenancy.ErrTenantSuspended},
		{"unknown tenant", "umbrella", tenancy.ErrUnknownTenant},
	} {
		payload := triggertest.From(t, "TokenGeneration_Authentication.v2").UserAttribute("custom:tenantId", tc.tenant).JSON(t)
		_, err := triggertest.Invoke(r, payload, 0)
		var refusal *triggers.Refusal
		if !errors.As(err, &refusal) || !errors.Is(err, tc.reason) || err.Error() != refusal.Message {
			t.Errorf("%s: %v, want a refusal for %v", tc.name, err, tc.reason)
		}
	}
	payload := triggertest.From(t, "TokenGeneration_Authentication.v2").
		Delete("request.userAttributes.custom:tenantId").
		Set("userName", "nobody").UserAttribute("sub", "00000000-0000-4000-8000-00000000b0d1").
		Set("request.groupConfiguration.groupsToOverride", []string{"everyone"}).JSON(t)
	if _, err := triggertest.Invoke(r, payload, 0); !errors.Is(err, tenancy.ErrNoTenant) {
		t.Errorf("no tenant: %v, want a refusal for ErrNoTenant", err)
	}
}

func TestSuppressionWins(t *testing.T) {
	h := newHandler(t, pretoken.Config{
		SuppressIDClaims:     []string{"tenant_org", "phone_number"},
		SuppressAccessClaims: []string{"tenant_permissions"},
		SuppressScopes:       []string{"tenant:acme:write"},
	})
	ev := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
	// Another handler ran first and overrode claims that are suppressed.
	ev.Response.Details().IDToken().ClaimsToAddOrOverride = map[string]any{"phone_number": "+1555", "kept": "yes"}
	if err := h.PreTokenGenerationV2(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	id := ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration
	for _, name := range []string{"tenant_org", "phone_number"} {
		if _, ok := id.ClaimsToAddOrOverride[name]; ok || !slices.Contains(id.ClaimsToSuppress, name) {
			t.Errorf("ID claim %s: added %v, suppressed %v; suppression must win", name, ok, id.ClaimsToSuppress)
		}
	}
	if id.ClaimsToAddOrOverride["kept"] != "yes" || id.ClaimsToAddOrOverride["tenant_id"] != "acme" {
		t.Errorf("ID claims = %v, want the earlier handler's and ours merged", id.ClaimsToAddOrOverride)
	}
	at := ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
	if _, ok := at.ClaimsToAddOrOverride["tenant_permissions"]; ok {
		t.Error("a suppressed access claim was added")
	}
	if slices.Contains(at.ScopesToAdd, "tenant:acme:write") || !slices.Contains(at.ScopesToSuppress, "tenant:acme:write") {
		t.Errorf("scopes add %v suppress %v: a suppressed scope was added", at.ScopesToAdd, at.ScopesToSuppress)
	}
	if err := triggers.CheckResponse(ev); err != nil {
		t.Fatal(err)
	}
}

func TestForeignScopes(t *testing.T) {
	h := newHandler(t, pretoken.Config{})
	ev := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
	ev.UserName = "viewer-user"
	ev.Request.GroupConfiguration.GroupsToOverride = []string{"tenant-acme-viewer"}
	ev.Request.Scopes = []string{"openid", "tenant:acme:read", "tenant:acme:write", "tenant:globex:read", "profile"}
	if err := h.PreTokenGenerationV2(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	at := ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
	if !slices.Equal(at.ScopesToSuppress, []string{"tenant:acme:write", "tenant:globex:read"}) || len(at.ScopesToAdd) != 0 {
		t.Fatalf("viewer of acme: add %v suppress %v; want the write scope and globex's suppressed, nothing added", at.ScopesToAdd, at.ScopesToSuppress)
	}
}

func TestGroupOverride(t *testing.T) {
	h := newHandler(t, pretoken.Config{
		Groups:                convention,
		DropOtherTenantGroups: true,
		IAMRoles:              map[string]string{"admin": "arn:aws:iam::123456789012:role/{id}-admin"},
	})
	ev := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
	ev.Request.GroupConfiguration.GroupsToOverride = []string{"tenant-acme-admin", "tenant-globex-viewer", "everyone"}
	if err := h.PreTokenGenerationV2(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	g := ev.Response.ClaimsAndScopeOverrideDetails.GroupOverrideDetails
	wantARN := "arn:aws:iam::123456789012:role/acme-admin"
	if g == nil || !slices.Equal(g.GroupsToOverride, []string{"tenant-acme-admin", "everyone"}) ||
		!slices.Equal(g.IAMRolesToOverride, []string{wantARN}) || g.PreferredRole == nil || *g.PreferredRole != wantARN {
		t.Fatalf("group override = %+v", g)
	}
}

func TestNewRefusesReservedClaims(t *testing.T) {
	res := newResolver(t, newStore(t))
	for _, tc := range []struct {
		cfg  pretoken.Config
		want []string
	}{
		{pretoken.Config{IDClaims: pretoken.Claims{TenantID: "sub"}}, []string{"IDClaims.TenantID", `"sub"`}},
		{pretoken.Config{IDClaims: pretoken.Claims{Role: "cognito:groups"}}, []string{"IDClaims.Role", "cognito:groups"}},
		{pretoken.Config{AccessClaims: pretoken.Claims{Tier: "scope"}}, []string{"AccessClaims.Tier", `"scope"`}},
		{pretoken.Config{AccessClaims: pretoken.Claims{Role: "client_id"}}, []string{"AccessClaims.Role", "client_id"}},
		{pretoken.Config{SuppressIDClaims: []string{"aud"}}, []string{"SuppressIDClaims", `"aud"`}},
		{pretoken.Config{SuppressAccessClaims: []string{"username"}}, []string{"SuppressAccessClaims", `"username"`}},
		{pretoken.Config{IDClaims: pretoken.Claims{Name: "tenant_id"}}, []string{"both name claim", "tenant_id"}},
		{pretoken.Config{Scopes: map[string][]string{"admin": {"tenant:{id}:read write"}}}, []string{"Scopes", "white space"}},
		{pretoken.Config{Scopes: map[string][]string{"admin": {"{id}:{id}"}}}, []string{"Scopes", "more than once"}},
		{pretoken.Config{DropOtherTenantGroups: true}, []string{"Groups"}},
		{pretoken.Config{IAMRoles: map[string]string{"admin": "acme-admin"}}, []string{"IAMRoles", "ARN"}},
	} {
		tc.cfg.Resolver = res
		_, err := pretoken.New(tc.cfg)
		if err == nil {
			t.Errorf("New(%+v) succeeded, want an error", tc.cfg)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New: %q does not mention %s", err, w)
			}
		}
	}
	if _, err := pretoken.New(pretoken.Config{}); err == nil || !strings.Contains(err.Error(), "Resolver") {
		t.Errorf("New without a resolver = %v", err)
	}
	// A claim name that Cognito allows is accepted, and Omit leaves one out.
	if _, err := pretoken.New(pretoken.Config{Resolver: res, IDClaims: pretoken.Claims{TenantID: "custom:tenantId", Organisation: pretoken.Omit}}); err != nil {
		t.Errorf("New with allowed claims = %v", err)
	}
}

func TestTokenBudget(t *testing.T) {
	big := strings.Repeat("x", 7000)
	ev := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
	ev.Request.UserAttributes["custom:profile"] = big
	err := newHandler(t, pretoken.Config{}).PreTokenGenerationV2(context.Background(), ev)
	var tse *pretoken.TokenSizeError
	if !errors.As(err, &tse) || tse.Token != "ID" || tse.Budget != 8192 || tse.Size <= 8192 {
		t.Fatalf("7000-byte attribute: %v, want a TokenSizeError for the ID token", err)
	}
	if tse.Largest[0].Name != "custom:profile" || len(tse.Largest) != 3 || !strings.Contains(err.Error(), "custom:profile (93") {
		t.Fatalf("largest claims = %+v; message %q", tse.Largest, err)
	}

	// Suppressing it brings the token under the budget.
	ev = triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
	ev.Request.UserAttributes["custom:profile"] = big
	if err := newHandler(t, pretoken.Config{SuppressIDClaims: []string{"custom:profile"}}).PreTokenGenerationV2(context.Background(), ev); err != nil {
		t.Fatalf("with custom:profile suppressed: %v", err)
	}

	// Permissions can make the access token too big; a smaller budget
	// applies, and a negative one turns the check off.
	store := newStore(t)
	perms := make([]string, 60)
	for i := range perms {
		perms[i] = fmt.Sprintf("orders:%02d:approve-and-export", i)
	}
	_ = store.PutMembership(context.Background(), tenancy.Membership{Sub: jdoeSub, UserName: "jdoe", TenantID: "acme", Role: "admin", Permissions: perms})
	for budget, wantErr := range map[int]bool{0: false, 2048: true, -1: false} {
		ev = triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
		ev.Request.GroupConfiguration.GroupsToOverride = []string{"everyone"} // role and permissions from the membership
		tse = nil
		err := newHandler(t, pretoken.Config{Resolver: newResolver(t, store), TokenBudget: budget}).PreTokenGenerationV2(context.Background(), ev)
		if got := errors.As(err, &tse); got != wantErr {
			t.Errorf("budget %d: %v, want error %v", budget, err, wantErr)
		}
		if wantErr && (tse.Token != "access" || tse.Largest[0].Name != "tenant_permissions") {
			t.Errorf("budget %d: %+v, want the access token's tenant_permissions named", budget, tse)
		}
	}
}

// The estimate matches the size of a token encoded from the same claims.
func TestEstimateMatchesEncoding(t *testing.T) {
	ev := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
	ev.Request.UserAttributes["custom:note"] = "quote \" backslash \\ newline \n tab \t bell \a"
	h := newHandler(t, pretoken.Config{TokenBudget: 1}) // fail, to read the estimate
	err := h.PreTokenGenerationV2(context.Background(), ev)
	var tse *pretoken.TokenSizeError
	if !errors.As(err, &tse) {
		t.Fatal(err)
	}
	uuid := "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
	a := ev.Request.UserAttributes
	payload := map[string]any{
		"sub": uuid, "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE1",
		"aud": ev.CallerContext.ClientID, "cognito:username": ev.UserName, "token_use": "id",
		"origin_jti": uuid, "event_id": uuid, "jti": uuid, "auth_time": 1700000000, "iat": 1700000000, "exp": 1700000000,
		"email": a["email"], "email_verified": true, "name": a["name"], "phone_number": a["phone_number"],
		"phone_number_verified": false, "custom:tenantId": a["custom:tenantId"], "custom:note": a["custom:note"],
		"cognito:groups": ev.Request.GroupConfiguration.GroupsToOverride,
		"cognito:roles":  ev.Request.GroupConfiguration.IAMRolesToOverride, "cognito:preferred_role": *ev.Request.GroupConfiguration.PreferredRole,
	}
	for k, v := range ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride {
		payload[k] = v
	}
	body, _ := json.Marshal(payload)
	header := `{"kid":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=","alg":"RS256"}`
	enc := base64.RawURLEncoding
	want := enc.EncodedLen(len(header)) + 1 + enc.EncodedLen(len(body)) + 1 + enc.EncodedLen(256)
	if tse.Size != want {
		t.Fatalf("estimated %d bytes, an encoding of the same claims has %d", tse.Size, want)
	}
}

// countingReader counts the reads that reach the store.
type countingReader struct {
	tenancy.Reader
	tenants, users atomic.Int64
}

func (c *countingReader) GetTenant(ctx context.Context, id string) (tenancy.Tenant, error) {
	c.tenants.Add(1)
	return c.Reader.GetTenant(ctx, id)
}

func (c *countingReader) ListMemberships(ctx context.Context, u string) ([]tenancy.Membership, error) {
	c.users.Add(1)
	return c.Reader.ListMemberships(ctx, u)
}

// tenantEvents returns n events for users spread over tenants tenant-00..
func tenantEvents(t testing.TB, n, tenants int) []*triggers.PreTokenGenerationV2Event {
	t.Helper()
	raw := triggertest.Load(t, "TokenGeneration_Authentication.v2")
	evs := make([]*triggers.PreTokenGenerationV2Event, n)
	for i := range evs {
		ev := new(triggers.PreTokenGenerationV2Event)
		if err := json.Unmarshal(raw, ev); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("tenant-%02d", i%tenants)
		ev.UserName = fmt.Sprintf("user-%05d", i)
		ev.Request.UserAttributes["custom:tenantId"] = id
		ev.Request.GroupConfiguration.GroupsToOverride = []string{"tenant-" + id + "-member", "everyone"}
		evs[i] = ev
	}
	return evs
}

func seedTenants(t testing.TB, s tenancy.Store, n int) {
	t.Helper()
	for i := range n {
		if err := s.PutTenant(context.Background(), tenancy.Tenant{ID: fmt.Sprintf("tenant-%02d", i), Name: "T", Status: tenancy.StatusActive, Tier: "pro"}); err != nil {
			t.Fatal(err)
		}
	}
}

// 10,000 sign-ins over 50 tenants read each tenant once per TTL window,
// however they interleave.
func TestStoreReadsPerTTLWindow(t *testing.T) {
	const invocations, tenants, workers = 10_000, 50, 8
	store := tenancy.NewMemoryStore()
	seedTenants(t, store, tenants)
	reads := &countingReader{Reader: store}
	clk := triggertest.NewClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	cache, err := tenancy.NewCache(reads, tenancy.CacheConfig{TTL: time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, pretoken.Config{Resolver: newResolver(t, cache)})
	evs := tenantEvents(t, invocations, tenants)

	window := func() {
		var wg sync.WaitGroup
		var failed atomic.Int64
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < invocations; i += workers {
					evs[i].Response = triggers.PreTokenGenerationV2Response{}
					if err := h.PreTokenGenerationV2(context.Background(), evs[i]); err != nil {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if n := failed.Load(); n > 0 {
			t.Fatalf("%d invocations failed", n)
		}
	}
	window()
	if n := reads.tenants.Load(); n > tenants {
		t.Fatalf("first TTL window: %d tenant reads for %d invocations over %d tenants, want at most %d", n, invocations, tenants, tenants)
	}
	if n := reads.users.Load(); n != 0 {
		t.Fatalf("%d membership reads, want 0: the groups name the role", n)
	}
	clk.Advance(time.Minute)
	window()
	if n := reads.tenants.Load(); n > 2*tenants {
		t.Fatalf("two TTL windows: %d tenant reads, want at most %d", n, 2*tenants)
	}
	t.Logf("%d tenant reads for %d invocations in 2 TTL windows", reads.tenants.Load(), 2*invocations)
}

func Example() {
	ctx := context.Background()
	store := tenancy.NewMemoryStore()
	_ = store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Organisation: "Acme Corporation Ltd", Status: tenancy.StatusActive, Tier: "pro"})

	cache, _ := tenancy.NewCache(store, tenancy.CacheConfig{})
	resolver, _ := tenancy.NewResolver(tenancy.ResolverConfig{
		Reader: cache,
		Steps: []tenancy.Step{
			tenancy.FromAttribute(tenancy.TenantAttribute),
			tenancy.FromGroups(tenancy.MustParseGroupConvention("tenant-{id}-{role}")),
		},
	})
	h, err := pretoken.New(pretoken.Config{Resolver: resolver, SuppressIDClaims: []string{"phone_number"}})
	if err != nil {
		panic(err)
	}

	ev := &triggers.PreTokenGenerationV2Event{}
	ev.TriggerSource, ev.Version, ev.UserName = triggers.TokenGenerationAuthentication, "2", "jdoe"
	ev.Request.UserAttributes = triggers.Attributes{"custom:tenantId": "acme"}
	ev.Request.GroupConfiguration.GroupsToOverride = []string{"tenant-acme-viewer"}
	ev.Request.Scopes = []string{"openid", "tenant:globex:read"}
	if err := h.PreTokenGenerationV2(ctx, ev); err != nil {
		panic(err)
	}
	out, _ := json.MarshalIndent(ev.Response, "", "  ")
	fmt.Println(string(out))
	// Output:
	// {
	//   "claimsAndScopeOverrideDetails": {
	//     "idTokenGeneration": {
	//       "claimsToAddOrOverride": {
	//         "tenant_id": "acme",
	//         "tenant_name": "Acme",
	//         "tenant_org": "Acme Corporation Ltd",
	//         "tenant_role": "viewer",
	//         "tenant_tier": "pro"
	//       },
	//       "claimsToSuppress": [
	//         "phone_number"
	//       ]
	//     },
	//     "accessTokenGeneration": {
	//       "claimsToAddOrOverride": {
	//         "tenant_id": "acme",
	//         "tenant_role": "viewer",
	//         "tenant_tier": "pro"
	//       },
	//       "scopesToAdd": [
	//         "tenant:acme:read"
	//       ],
	//       "scopesToSuppress": [
	//         "tenant:globex:read"
	//       ]
	//     }
	//   }
	// }
}

// Every recorded token generation event, of every version and source,
// gets tenant claims that pass the router's response checks, and no
// secret of the events reaches a log line or an error.
func TestRecordedEvents(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	newHandler(t, pretoken.Config{}).Register(r)
	small := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	newHandler(t, pretoken.Config{TokenBudget: 600}).Register(small)
	var errs []string
	n := 0
	for _, name := range triggertest.Names() {
		if !strings.HasPrefix(name, "TokenGeneration_") {
			continue
		}
		n++
		out, err := triggertest.Invoke(r, triggertest.Load(t, name), 0)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.Contains(string(out), `"tenant_id":"acme"`) {
			t.Errorf("%s: response without the tenant: %s", name, out)
		}
		if _, err := triggertest.Invoke(small, triggertest.Load(t, name), 0); err == nil {
			t.Errorf("%s: a 600-byte budget passed", name)
		} else {
			errs = append(errs, err.Error())
		}
	}
	if n < 10 {
		t.Fatalf("only %d recorded token generation events", n)
	}
	if strings.Contains(logs.String(), "SECRET") || strings.Contains(strings.Join(errs, "\n"), "SECRET") {
		t.Fatal("a secret of a recorded event reached a log line or an error")
	}
}
