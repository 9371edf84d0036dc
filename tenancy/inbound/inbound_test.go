package inbound_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/inbound"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

const (
	oidcEvent = "InboundFederation_ExternalProvider.oidc" // provider MyOIDC
	samlEvent = "InboundFederation_ExternalProvider.saml" // provider AzureAD
)

type fixture struct {
	router *triggers.Router
	store  *tenancy.MemoryStore
	logs   *bytes.Buffer
}

// newFixture builds a router with the handler, tenants "acme" (active) and
// "initech" (suspended), and a log buffer. change edits the config.
func newFixture(t *testing.T, change func(*inbound.Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	store := tenancy.NewMemoryStore()
	for _, tn := range []tenancy.Tenant{
		{ID: "acme", Name: "Acme", Status: tenancy.StatusActive},
		{ID: "initech", Name: "Initech", Status: tenancy.StatusSuspended},
	} {
		if err := store.PutTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	logs := new(bytes.Buffer)
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := inbound.Config{
		Providers: map[string]string{"MyOIDC": "acme", "AzureAD": "acme", "InitechSAML": "initech", "GoneSAML": "gone"},
		Tenants:   store,
		Logger:    logger,
	}
	if change != nil {
		change(&cfg)
	}
	h, err := inbound.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	h.Register(r)
	return &fixture{router: r, store: store, logs: logs}
}

// invoke runs payload through the router as the Lambda runtime does and
// returns the raw JSON that leaves, and the decoded userAttributesToMap
// (nil when the JSON holds null).
func (f *fixture) invoke(t *testing.T, payload []byte) (out []byte, mapped map[string]string, err error) {
	t.Helper()
	out, err = triggertest.Invoke(f.router, payload, 0)
	if err != nil {
		return nil, nil, err
	}
	var ev struct {
		Response struct {
			UserAttributesToMap map[string]string `json:"userAttributesToMap"`
		} `json:"response"`
	}
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	return out, ev.Response.UserAttributesToMap, nil
}

func mustInvoke(t *testing.T, f *fixture, payload []byte) ([]byte, map[string]string) {
	t.Helper()
	out, m, err := f.invoke(t, payload)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return out, m
}

// rawAttributesToMap returns the JSON text of response.userAttributesToMap.
func rawAttributesToMap(t *testing.T, out []byte) string {
	t.Helper()
	var ev struct {
		Response map[string]json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	raw, ok := ev.Response["userAttributesToMap"]
	if !ok {
		t.Fatalf("response has no userAttributesToMap: %s", out)
	}
	return string(raw)
}

func wantRefusal(t *testing.T, err error, reason error, message string) {
	t.Helper()
	var ref *triggers.Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("err = %v (%T), want a *triggers.Refusal", err, err)
	}
	if !errors.Is(err, reason) {
		t.Errorf("refusal reason = %v, want %v", ref.Reason, reason)
	}
	if ref.Message != message || err.Error() != message {
		t.Errorf("message = %q, want %q", ref.Message, message)
	}
}

func assertNoValuesLogged(t *testing.T, logs string, values ...string) {
	t.Helper()
	for _, v := range values {
		if strings.Contains(logs, v) {
			t.Errorf("log holds the value %q:\n%s", v, logs)
		}
	}
}

func TestRecordedOIDCEventGetsTenantAndKeepsEverything(t *testing.T) {
	f := newFixture(t, nil)
	_, got := mustInvoke(t, f, triggertest.Load(t, oidcEvent))
	want := map[string]string{
		// tokenResponse: a pool may map access_token or id_token.
		"access_token": "tok-SECRET-access-eyJraWQiOi", "id_token": "tok-SECRET-id-eyJhbGciOi",
		"refresh_token": "tok-SECRET-refresh-0b1c2d", "token_type": "Bearer", "expires_in": "3600",
		// userInfo and idToken.
		"sub": "1234567890", "email": "jdoe@example.com", "email_verified": "true", "name": "Jane Doe",
		"given_name": "Jane", "family_name": "Doe",
		"custom:tenantId": "acme",
	}
	if !maps.Equal(got, want) {
		t.Errorf("userAttributesToMap =\n %v\nwant\n %v", got, want)
	}
	assertNoValuesLogged(t, f.logs.String(), "tok-SECRET", "jdoe@example.com", "Jane")
	if !strings.Contains(f.logs.String(), `"tenantId":"acme"`) || !strings.Contains(f.logs.String(), `"attributes":12`) {
		t.Errorf("log lacks the tenant and the count:\n%s", f.logs)
	}
}

func TestRecordedSAMLEventGetsTenant(t *testing.T) {
	f := newFixture(t, nil)
	out, got := mustInvoke(t, f, triggertest.Load(t, samlEvent))
	want := map[string]string{
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "jdoe@example.com",
		"http://schemas.microsoft.com/identity/claims/tenantid":              "72f988bf",
		"custom:tenantId": "acme",
	}
	if !maps.Equal(got, want) {
		t.Errorf("userAttributesToMap = %v, want %v", got, want)
	}
	// The rest of the event leaves as it came.
	var ev triggers.InboundFederationEvent
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.TriggerSource != triggers.InboundFederationExternalProvider || ev.Request.ProviderName != "AzureAD" ||
		ev.UserName != "AzureAD_jdoe@example.com" || len(ev.Request.Attributes.SAMLResponse) != 2 {
		t.Errorf("event changed on the way: %s", out)
	}
}

func TestLookupFunc(t *testing.T) {
	var asked []string
	f := newFixture(t, func(c *inbound.Config) {
		c.Providers = nil
		c.Lookup = inbound.LookupFunc(func(_ context.Context, p string) (string, bool, error) {
			asked = append(asked, p)
			return "acme", p == "AzureAD", nil
		})
	})
	_, got := mustInvoke(t, f, triggertest.Load(t, samlEvent))
	if got["custom:tenantId"] != "acme" || len(asked) != 1 || asked[0] != "AzureAD" {
		t.Errorf("tenant = %q, asked %v", got["custom:tenantId"], asked)
	}
}

func TestCustomAttributeName(t *testing.T) {
	f := newFixture(t, func(c *inbound.Config) { c.Attribute = "tenant" })
	payload := triggertest.From(t, oidcEvent).
		Set("request.attributes.idToken.TENANT", "globex").
		Set("request.attributes.userInfo.custom:tenantId", "globex"). // the default name is never the provider's either
		JSON(t)
	_, got := mustInvoke(t, f, payload)
	_, hasDefault := got["custom:tenantId"]
	if got["tenant"] != "acme" || got["TENANT"] != "" || hasDefault || got["email"] != "jdoe@example.com" {
		t.Errorf("userAttributesToMap = %v", got)
	}
}

func TestUnmappedProviderPassesThroughUnchanged(t *testing.T) {
	f := newFixture(t, nil)
	for name, payload := range map[string][]byte{
		"recorded":    triggertest.From(t, oidcEvent).Set("request.providerName", "Other").JSON(t),
		"no response": triggertest.From(t, samlEvent).Set("request.providerName", "Other").Delete("response").JSON(t),
		"null map":    triggertest.From(t, samlEvent).Set("request.providerName", "Other").Set("response.userAttributesToMap", nil).JSON(t),
	} {
		t.Run(name, func(t *testing.T) {
			out, _ := mustInvoke(t, f, payload)
			// {} keeps every attribute as if no function ran; null is not
			// documented, so it never leaves.
			if raw := rawAttributesToMap(t, out); raw != "{}" {
				t.Errorf("userAttributesToMap = %s, want {}", raw)
			}
		})
	}
}

func TestUnmappedProviderRefused(t *testing.T) {
	for _, msg := range []string{"", "Ask IT to enable Other."} {
		f := newFixture(t, func(c *inbound.Config) { c.Unmapped, c.UnmappedMessage = inbound.RefuseUnmapped, msg })
		_, _, err := f.invoke(t, triggertest.From(t, oidcEvent).Set("request.providerName", "Other").JSON(t))
		want := msg
		if want == "" {
			want = inbound.DefaultUnmappedMessage
		}
		wantRefusal(t, err, inbound.ErrUnmappedProvider, want)
	}
}

func TestSuspendedTenantRefused(t *testing.T) {
	f := newFixture(t, nil)
	_, _, err := f.invoke(t, triggertest.From(t, samlEvent).Set("request.providerName", "InitechSAML").JSON(t))
	wantRefusal(t, err, tenancy.ErrTenantSuspended, inbound.DefaultSuspendedMessage)

	f = newFixture(t, func(c *inbound.Config) { c.SuspendedMessage = "Initech is on hold." })
	_, _, err = f.invoke(t, triggertest.From(t, samlEvent).Set("request.providerName", "InitechSAML").JSON(t))
	wantRefusal(t, err, tenancy.ErrTenantSuspended, "Initech is on hold.")
}

func TestSuspensionTakesEffectOnNextSignIn(t *testing.T) {
	f := newFixture(t, nil)
	payload := triggertest.Load(t, samlEvent)
	mustInvoke(t, f, payload)
	if err := f.store.PutTenant(context.Background(), tenancy.Tenant{ID: "acme", Name: "Acme", Status: tenancy.StatusSuspended}); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.invoke(t, payload)
	wantRefusal(t, err, tenancy.ErrTenantSuspended, inbound.DefaultSuspendedMessage)
}

func TestUnknownTenantRefused(t *testing.T) {
	f := newFixture(t, nil)
	_, _, err := f.invoke(t, triggertest.From(t, samlEvent).Set("request.providerName", "GoneSAML").JSON(t))
	var ref *triggers.Refusal
	if !errors.As(err, &ref) || !errors.Is(err, tenancy.ErrUnknownTenant) || strings.Contains(ref.Message, "gone") {
		t.Errorf("err = %v, want a refusal for an unknown tenant that does not name it", err)
	}
}

type failingReader struct{}

func (failingReader) GetTenant(context.Context, string) (tenancy.Tenant, error) {
	return tenancy.Tenant{}, errors.New("dynamodb: throttled")
}

func TestLookupAndStoreErrorsAreErrorsNotRefusals(t *testing.T) {
	boom := errors.New("table unavailable")
	for name, change := range map[string]func(*inbound.Config){
		"store": func(c *inbound.Config) { c.Tenants = failingReader{} },
		"lookup": func(c *inbound.Config) {
			c.Providers = nil
			c.Lookup = inbound.LookupFunc(func(context.Context, string) (string, bool, error) { return "", false, boom })
		},
		"bad id from lookup": func(c *inbound.Config) {
			c.Providers = nil
			c.Lookup = inbound.LookupFunc(func(context.Context, string) (string, bool, error) { return "no spaces allowed", true, nil })
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, change)
			_, _, err := f.invoke(t, triggertest.Load(t, samlEvent))
			var ref *triggers.Refusal
			if err == nil || errors.As(err, &ref) {
				t.Fatalf("err = %v, want a plain error", err)
			}
			if name == "lookup" && !errors.Is(err, boom) {
				t.Errorf("err = %v does not wrap the look-up's error", err)
			}
			if strings.Contains(err.Error(), "jdoe@example.com") {
				t.Errorf("error holds an attribute value: %v", err)
			}
		})
	}
}

func TestProviderCannotChooseTenant(t *testing.T) {
	f := newFixture(t, nil)
	// The provider asserts the tenant attribute in several places and cases.
	payload := triggertest.From(t, oidcEvent).
		Set("request.attributes.idToken.custom:tenantId", "globex").
		Set("request.attributes.userInfo.CUSTOM:TENANTID", "globex").
		Set("request.attributes.tokenResponse.custom:tenantid", "globex").
		JSON(t)
	_, got := mustInvoke(t, f, payload)
	if got["custom:tenantId"] != "acme" {
		t.Errorf("tenant = %q, want acme", got["custom:tenantId"])
	}
	for k, v := range got {
		if v == "globex" || (strings.EqualFold(k, "custom:tenantId") && k != "custom:tenantId") {
			t.Errorf("the provider's %s=%s leaves", k, v)
		}
	}
	if got["email"] != "jdoe@example.com" || got["sub"] != "1234567890" {
		t.Errorf("other attributes lost: %v", got)
	}
	if !strings.Contains(f.logs.String(), `"level":"WARN"`) || !strings.Contains(f.logs.String(), "CUSTOM:TENANTID") {
		t.Errorf("the dropped attribute is not logged by name at Warn:\n%s", f.logs)
	}
	assertNoValuesLogged(t, f.logs.String(), "globex")
}

func TestUnmappedProviderCannotSetTenant(t *testing.T) {
	f := newFixture(t, nil)
	payload := triggertest.From(t, oidcEvent).
		Set("request.providerName", "Other").
		Set("request.attributes.idToken.custom:tenantId", "acme").
		JSON(t)
	_, got := mustInvoke(t, f, payload)
	// Non-empty, so that the left-out tenant attribute is dropped.
	if len(got) == 0 {
		t.Fatal("userAttributesToMap is empty: Cognito would keep the provider's tenant")
	}
	if _, ok := got["custom:tenantId"]; ok {
		t.Errorf("the provider's tenant leaves: %v", got)
	}
	if got["email"] != "jdoe@example.com" || got["access_token"] == "" || len(got) != 11 {
		t.Errorf("other attributes lost: %v", got)
	}
}

func TestUnmappedProviderSendingOnlyTenantRefused(t *testing.T) {
	f := newFixture(t, nil)
	payload := triggertest.From(t, oidcEvent).
		Set("request.providerName", "Other").
		Set("request.attributes", map[string]any{"samlResponse": map[string]any{"custom:tenantId": "acme"}}).
		JSON(t)
	_, _, err := f.invoke(t, payload)
	var ref *triggers.Refusal
	if !errors.As(err, &ref) || !errors.Is(err, inbound.ErrOnlyTenantAttribute) {
		t.Fatalf("err = %v, want a refusal with ErrOnlyTenantAttribute", err)
	}
}

func TestOverLongMultibyteValuesTrimmed(t *testing.T) {
	long := map[string]string{
		"ascii":    strings.Repeat("a", 3000),
		"twoByte":  strings.Repeat("é", 3000),                // 2 bytes, 1 UTF-16 unit each
		"astral":   strings.Repeat("😀", 1500),                // 4 bytes, 2 UTF-16 units each
		"boundary": strings.Repeat("a", 2047) + "😀" + "tail", // the pair does not fit in the last unit
		"exact":    strings.Repeat("ü", 2048),                // at the limit: kept whole
		"groups":   "[" + strings.Repeat("Ünïcödé-Grüppe,", 200) + "]",
	}
	want := map[string]string{
		"ascii":    strings.Repeat("a", 2048),
		"twoByte":  strings.Repeat("é", 2048),
		"astral":   strings.Repeat("😀", 1024),
		"boundary": strings.Repeat("a", 2047),
		"exact":    long["exact"],
	}
	for _, provider := range []string{"AzureAD", "Other"} { // mapped, and passed through
		t.Run(provider, func(t *testing.T) {
			f := newFixture(t, nil)
			b := triggertest.From(t, samlEvent).Set("request.providerName", provider)
			for k, v := range long {
				b.Set("request.attributes.samlResponse."+k, v)
			}
			_, got := mustInvoke(t, f, b.JSON(t))
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: got %d runes, want %d", k, utf8.RuneCountInString(got[k]), utf8.RuneCountInString(w))
				}
			}
			g := got["groups"]
			if !utf8.ValidString(g) || utf8.RuneCountInString(g) != 2048 || !strings.HasPrefix(long["groups"], g) {
				t.Errorf("groups: cut to %d runes, valid UTF-8 %v", utf8.RuneCountInString(g), utf8.ValidString(g))
			}
			for k, v := range got {
				if !utf8.ValidString(v) || utf16Len(v) > inbound.DefaultMaxValueLength {
					t.Errorf("%s leaves with %d UTF-16 units or invalid UTF-8", k, utf16Len(v))
				}
			}
			if len(got) != len(long)+2+btoi(provider == "AzureAD") {
				t.Errorf("attributes lost: %d left", len(got))
			}
			logs := f.logs.String()
			if !strings.Contains(logs, `"trimmedAttributes":["ascii","astral","boundary","groups","twoByte"]`) {
				t.Errorf("log lacks the trimmed names:\n%s", logs)
			}
			// The router's own line names the user (userName holds the SAML
			// subject); the handler's lines hold no value at all.
			assertNoValuesLogged(t, logs, "aaaa", "éé", "Grüppe")
			assertNoValuesLogged(t, ownLines(logs), "jdoe@example.com", "72f988bf")
		})
	}
}

func TestSmallerLimit(t *testing.T) {
	f := newFixture(t, func(c *inbound.Config) { c.MaxValueLength = 5 })
	_, got := mustInvoke(t, f, triggertest.Load(t, samlEvent))
	if got["http://schemas.microsoft.com/identity/claims/tenantid"] != "72f98" || got["custom:tenantId"] != "acme" {
		t.Errorf("userAttributesToMap = %v", got)
	}
}

func TestEventWithoutAttributes(t *testing.T) {
	for name, attrs := range map[string]any{
		"empty object": map[string]any{},
		"empty maps":   map[string]any{"idToken": map[string]any{}, "userInfo": map[string]any{}, "tokenResponse": map[string]any{}},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil)
			mapped := triggertest.From(t, oidcEvent).Set("request.attributes", attrs).JSON(t)
			_, got := mustInvoke(t, f, mapped)
			if !maps.Equal(got, map[string]string{"custom:tenantId": "acme"}) {
				t.Errorf("mapped provider: %v", got)
			}
			unmapped := triggertest.From(t, oidcEvent).Set("request.attributes", attrs).Set("request.providerName", "Other").JSON(t)
			out, _ := mustInvoke(t, f, unmapped)
			if raw := rawAttributesToMap(t, out); raw != "{}" {
				t.Errorf("unmapped provider: userAttributesToMap = %s, want {}", raw)
			}
		})
	}
	f := newFixture(t, nil)
	_, got := mustInvoke(t, f, triggertest.From(t, oidcEvent).Delete("request.attributes").JSON(t))
	if !maps.Equal(got, map[string]string{"custom:tenantId": "acme"}) {
		t.Errorf("no attributes field: %v", got)
	}
}

func TestDebugLogOfWholeEventHoldsNoTokens(t *testing.T) {
	// Tokens are copied into userAttributesToMap; the router's Debug log of
	// the response must still mask them.
	f := newFixture(t, nil)
	mustInvoke(t, f, triggertest.Load(t, oidcEvent))
	if !strings.Contains(f.logs.String(), "trigger response") {
		t.Fatalf("no debug log of the response:\n%s", f.logs)
	}
	assertNoValuesLogged(t, f.logs.String(), "tok-SECRET", "jdoe@example.com")
}

func TestConcurrentSignIns(t *testing.T) {
	f := newFixture(t, func(c *inbound.Config) { c.Logger = slog.New(slog.DiscardHandler) })
	payloads := [][]byte{triggertest.Load(t, oidcEvent), triggertest.Load(t, samlEvent)}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			out, err := triggertest.Invoke(f.router, payloads[i%2], 0)
			if err == nil && !bytes.Contains(out, []byte(`"custom:tenantId":"acme"`)) {
				err = fmt.Errorf("no tenant in %s", out)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	store := tenancy.NewMemoryStore()
	lookup := inbound.LookupFunc(func(context.Context, string) (string, bool, error) { return "", false, nil })
	ok := inbound.Config{Providers: map[string]string{"AcmeSAML": "acme"}, Tenants: store}
	for name, tc := range map[string]struct {
		change func(*inbound.Config)
		field  string // the error names it; "" for success
	}{
		"valid":                 {func(*inbound.Config) {}, ""},
		"valid lookup":          {func(c *inbound.Config) { c.Providers, c.Lookup = nil, lookup }, ""},
		"valid limit":           {func(c *inbound.Config) { c.MaxValueLength = 2048 }, ""},
		"no mapping":            {func(c *inbound.Config) { c.Providers = nil }, "Config.Providers"},
		"both mappings":         {func(c *inbound.Config) { c.Lookup = lookup }, "Config.Lookup"},
		"empty providers":       {func(c *inbound.Config) { c.Providers = map[string]string{} }, "Config.Providers"},
		"empty provider name":   {func(c *inbound.Config) { c.Providers = map[string]string{"": "acme"} }, "Config.Providers"},
		"bad tenant id":         {func(c *inbound.Config) { c.Providers = map[string]string{"AcmeSAML": "ac me"} }, `Config.Providers["AcmeSAML"]`},
		"empty tenant id":       {func(c *inbound.Config) { c.Providers = map[string]string{"AcmeSAML": ""} }, `Config.Providers["AcmeSAML"]`},
		"no tenants":            {func(c *inbound.Config) { c.Tenants = nil }, "Config.Tenants"},
		"limit above Cognito's": {func(c *inbound.Config) { c.MaxValueLength = 2049 }, "Config.MaxValueLength"},
		"negative limit":        {func(c *inbound.Config) { c.MaxValueLength = -1 }, "Config.MaxValueLength"},
		"unknown policy":        {func(c *inbound.Config) { c.Unmapped = 7 }, "Config.Unmapped"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			cfg.Providers = maps.Clone(ok.Providers)
			tc.change(&cfg)
			h, err := inbound.New(cfg)
			switch {
			case tc.field == "" && (err != nil || h == nil):
				t.Errorf("New: %v", err)
			case tc.field != "" && err == nil:
				t.Errorf("New accepted the config")
			case tc.field != "" && !strings.Contains(err.Error(), tc.field):
				t.Errorf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

func TestProvidersCopied(t *testing.T) {
	providers := map[string]string{"AzureAD": "acme"}
	store := tenancy.NewMemoryStore()
	_ = store.PutTenant(context.Background(), tenancy.Tenant{ID: "acme", Name: "Acme", Status: tenancy.StatusActive})
	h, err := inbound.New(inbound.Config{Providers: providers, Tenants: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	providers["AzureAD"] = "other"
	ev := triggertest.Decode[triggers.InboundFederationEvent](t, samlEvent)
	if err := h.InboundFederation(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got := ev.Response.UserAttributesToMap["custom:tenantId"]; got != "acme" {
		t.Errorf("tenant = %q: New did not copy Providers", got)
	}
}

// ownLines returns the handler's log lines.
func ownLines(logs string) string {
	var b strings.Builder
	for line := range strings.Lines(logs) {
		if strings.Contains(line, `"msg":"inbound federation`) {
			b.WriteString(line)
		}
	}
	return b.String()
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
