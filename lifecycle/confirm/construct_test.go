package confirm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/confirm"
)

type memberRecorder struct{}

func (memberRecorder) AddMember(context.Context, string, string, string) error { return nil }

type memberPointer struct{}

func (*memberPointer) AddMember(context.Context, string, string, string) error { return nil }

// TestNewRefusesANilStore: a failed store constructor's nil *DynamoStore
// is refused when the runner is built, not at the first confirmation.
func TestNewRefusesANilStore(t *testing.T) {
	hook, err := confirm.Membership("membership", memberRecorder{}, "custom:tenantId")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := confirm.New(confirm.Config{Store: (*confirm.DynamoStore)(nil), Hooks: []confirm.Hook{hook}}); err == nil || !strings.Contains(err.Error(), "Store is nil") {
		t.Fatalf("err = %v", err)
	}
}

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
		{"a nil writer", (*memberPointer)(nil), "custom:tenantId", "MembershipWriter"},
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
