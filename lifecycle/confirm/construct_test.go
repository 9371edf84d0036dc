package confirm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/confirm"
)

type memberRecorder struct{}

func (memberRecorder) AddMember(context.Context, string, string, string) error { return nil }

// TestMembershipRefusesMissingDependencies: a membership hook without a
// writer or an attribute fails when it is built, not at the first
// confirmation (issue 13 §3).
func TestMembershipRefusesMissingDependencies(t *testing.T) {
	cases := []struct {
		name      string
		w         confirm.MembershipWriter
		attribute string
		want      string
	}{
		{"no writer", nil, "custom:tenantId", "MembershipWriter"},
		{"no attribute", memberRecorder{}, "", "attribute"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := confirm.Membership("membership", c.w, c.attribute); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
	if _, err := confirm.Membership("membership", memberRecorder{}, "custom:tenantId"); err != nil {
		t.Fatal(err)
	}
}
