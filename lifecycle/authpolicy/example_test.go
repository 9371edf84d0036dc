package authpolicy_test

import (
	"context"
	"fmt"

	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/triggers"
)

func ExamplePreAuthentication() {
	network, err := authpolicy.IPRule(authpolicy.IPConfig{
		Allow:  []string{"203.0.113.0/24"},
		Source: authpolicy.IPFromValidationData("sourceIp"),
	})
	if err != nil {
		panic(err)
	}
	clients, err := authpolicy.ClientAllowList("", "web-client-id")
	if err != nil {
		panic(err)
	}
	handler, err := authpolicy.PreAuthentication(clients, network)
	if err != nil {
		panic(err)
	}

	ev := &triggers.PreAuthenticationEvent{}
	ev.CallerContext.ClientID = "web-client-id"
	ev.Request.ValidationData = triggers.Metadata{"sourceIp": "192.0.2.10"}
	fmt.Println(handler(context.Background(), ev))
	ev.Request.ValidationData["sourceIp"] = "203.0.113.10"
	fmt.Println(handler(context.Background(), ev))
	// Output:
	// Sign-in is not allowed from this network.
	// <nil>
}
