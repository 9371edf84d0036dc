package inbound_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/inbound"
	"github.com/cognitrig/cognitrig/triggers"
)

func Example() {
	ctx := context.Background()
	store := tenancy.NewMemoryStore()
	_ = store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Status: tenancy.StatusActive})

	h, err := inbound.New(inbound.Config{
		Providers: map[string]string{"AcmeSAML": "acme"},
		Tenants:   store, // in a Lambda: tenancy.NewCache(store, tenancy.CacheConfig{})
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := triggers.NewRouter()
	h.Register(r)

	// The provider also claims a tenant of its own choosing: it is replaced.
	out, err := r.Invoke(ctx, []byte(`{
	  "version": "1", "triggerSource": "InboundFederation_ExternalProvider",
	  "region": "us-east-1", "userPoolId": "us-east-1_EXAMPLE1", "userName": "AcmeSAML_jdoe",
	  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
	  "request": {"providerName": "AcmeSAML", "providerType": "SAML",
	    "attributes": {"samlResponse": {"email": "jdoe@example.com", "custom:tenantId": "globex"}}},
	  "response": {"userAttributesToMap": {}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	var ev struct {
		Response struct {
			UserAttributesToMap map[string]string `json:"userAttributesToMap"`
		} `json:"response"`
	}
	_ = json.Unmarshal(out, &ev)
	fmt.Println(ev.Response.UserAttributesToMap)
	// Output:
	// map[custom:tenantId:acme email:jdoe@example.com]
}
