package authpolicy_test

import (
	"context"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func BenchmarkPreAuthentication(b *testing.B) {
	network, err := authpolicy.IPRule(authpolicy.IPConfig{
		Allow:  []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "203.0.113.0/24", "2001:db8::/32"},
		Deny:   []string{"203.0.113.128/25"},
		Source: authpolicy.IPFromValidationData("sourceIp"),
	})
	if err != nil {
		b.Fatal(err)
	}
	h := must(authpolicy.PreAuthentication(
		must(authpolicy.ClientAllowList("", clientID)),
		network,
	))
	ev := preAuth(b, func(bl *triggertest.Builder) {
		bl.Set("request.validationData.sourceIp", "203.0.113.7")
	})
	b.ReportAllocs()
	for b.Loop() {
		if err := h(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
	}
}
