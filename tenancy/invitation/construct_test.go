package invitation_test

import (
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/invitation"
)

// TestNewRefusesMissingDependencies: a configuration that could only fail
// at the first confirmation fails in New (issue 13 §3), naming the field.
func TestNewRefusesMissingDependencies(t *testing.T) {
	store := tenancy.NewMemoryStore()
	groups := tenancy.MustParseGroupConvention("tenant-{id}-{role}")
	cases := []struct {
		name string
		cfg  invitation.Config
		want string
	}{
		{"no store", invitation.Config{}, "Config.Store is nil"},
		// A store constructor's result on error: not == nil, yet unusable.
		{"a nil *MemoryStore", invitation.Config{Store: (*tenancy.MemoryStore)(nil)}, "Config.Store is nil"},
		{"groups without a Cognito client", invitation.Config{Store: store, Groups: groups}, "Config.Cognito is nil"},
		{"create groups without a convention", invitation.Config{Store: store, Cognito: awsfake.NewCognitoPool(t).Client(), CreateGroups: true}, "Config.Groups"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := invitation.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
}
