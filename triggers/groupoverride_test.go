package triggers_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// groupsOnTheWire runs a V1 and a V2 handler that set the group override
// with set, and returns the groupOverrideDetails that leave the router
// ("" when absent).
func groupsOnTheWire(t *testing.T, set func(req triggers.GroupConfiguration, current func() *triggers.GroupOverride) *triggers.GroupOverride) map[string]string {
	t.Helper()
	r := triggers.NewRouter()
	r.PreTokenGenerationV1(func(_ context.Context, ev *triggers.PreTokenGenerationV1Event) error {
		d := ev.Response.Details()
		d.GroupOverrideDetails = set(ev.Request.GroupConfiguration, func() *triggers.GroupOverride { return d.Groups(ev.Request.GroupConfiguration) })
		return nil
	})
	r.PreTokenGenerationV2(func(_ context.Context, ev *triggers.PreTokenGenerationV2Event) error {
		d := ev.Response.Details()
		d.GroupOverrideDetails = set(ev.Request.GroupConfiguration, func() *triggers.GroupOverride { return d.Groups(ev.Request.GroupConfiguration) })
		return nil
	})
	out := map[string]string{}
	for _, name := range []string{"TokenGeneration_Authentication.v1", "TokenGeneration_Authentication.v2"} {
		res, err := triggertest.Invoke(r, triggertest.Load(t, name), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var ev struct {
			Response map[string]map[string]json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(res, &ev); err != nil {
			t.Fatal(err)
		}
		out[name] = ""
		for _, d := range ev.Response {
			if g, ok := d["groupOverrideDetails"]; ok {
				out[name] = string(g)
			}
		}
	}
	return out
}

// An empty, non-nil GroupsToOverride reaches the wire as [], distinct from
// nil (absent): "no groups" is said explicitly.
func TestGroupOverrideEmptyGroupsOnTheWire(t *testing.T) {
	got := groupsOnTheWire(t, func(triggers.GroupConfiguration, func() *triggers.GroupOverride) *triggers.GroupOverride {
		return &triggers.GroupOverride{GroupsToOverride: []string{}}
	})
	for name, g := range got {
		if g != `{"groupsToOverride":[]}` {
			t.Errorf("%s: groupOverrideDetails = %s, want {\"groupsToOverride\":[]}", name, g)
		}
	}
	got = groupsOnTheWire(t, func(triggers.GroupConfiguration, func() *triggers.GroupOverride) *triggers.GroupOverride {
		return &triggers.GroupOverride{}
	})
	for name, g := range got {
		if g != `{}` {
			t.Errorf("%s: an empty override = %s, want {} (Cognito then suppresses the groups)", name, g)
		}
	}
	got = groupsOnTheWire(t, func(triggers.GroupConfiguration, func() *triggers.GroupOverride) *triggers.GroupOverride { return nil })
	for name, g := range got {
		if g != "" {
			t.Errorf("%s: no override = %s, want the field absent (Cognito keeps the groups)", name, g)
		}
	}
}

// Groups starts the override as a copy of the request, so changing one
// part keeps the others; the copy does not share the request's slices.
func TestGroupsCopiesTheRequest(t *testing.T) {
	got := groupsOnTheWire(t, func(req triggers.GroupConfiguration, current func() *triggers.GroupOverride) *triggers.GroupOverride {
		o := current()
		o.GroupsToOverride = append(o.GroupsToOverride, "auditors")
		if len(req.GroupsToOverride) != 2 {
			t.Errorf("the request changed with the override: %v", req.GroupsToOverride)
		}
		return o
	})
	want := `{"groupsToOverride":["tenant-acme-admins","everyone","auditors"],"iamRolesToOverride":["arn:aws:iam::123456789012:role/acme-admin"],"preferredRole":"arn:aws:iam::123456789012:role/acme-admin"}`
	for name, g := range got {
		if g != want {
			t.Errorf("%s: groupOverrideDetails = %s\nwant %s", name, g, want)
		}
	}
	// A user without groups or role: [] stays [], null stays absent.
	o := triggers.GroupConfiguration{GroupsToOverride: []string{}, IAMRolesToOverride: []string{}}.Override()
	b, err := json.Marshal(o)
	if err != nil || string(b) != `{"groupsToOverride":[],"iamRolesToOverride":[]}` {
		t.Fatalf("copy of an empty configuration = %s, %v", b, err)
	}
	if b, _ := json.Marshal(triggers.GroupConfiguration{}.Override()); string(b) != `{}` {
		t.Fatalf("copy of a null configuration = %s", b)
	}
}
