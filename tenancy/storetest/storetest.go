// Package storetest is the conformance suite of tenancy.Store: every
// implementation runs it, so that the in-memory default and the DynamoDB
// store behave alike, down to the atomicity of invitation claims.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) tenancy.Store { return tenancy.NewMemoryStore() })
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/tenancy"
)

// Concurrency is the number of goroutines that race to claim one
// invitation in the suite.
const Concurrency = 100

// Run runs the suite; open returns a new, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) tenancy.Store) {
	t.Run("Tenants", func(t *testing.T) { testTenants(t, open(t)) })
	t.Run("Memberships", func(t *testing.T) { testMemberships(t, open(t)) })
	t.Run("Clients", func(t *testing.T) { testClients(t, open(t)) })
	t.Run("Invitations", func(t *testing.T) { testInvitations(t, open(t)) })
	t.Run("ClaimRules", func(t *testing.T) { testClaimRules(t, open(t)) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, open(t)) })
	t.Run("ReusedUserName", func(t *testing.T) { testReusedUserName(t, open(t)) })
	t.Run("Bindings", func(t *testing.T) { testBindings(t, open(t)) })
	t.Run("ConcurrentBindings", func(t *testing.T) { testConcurrentBindings(t, open(t)) })
	t.Run("Links", func(t *testing.T) { testLinks(t, open(t)) })
	t.Run("Canceled", func(t *testing.T) { testCanceled(t, open(t)) })
}

// now is a fixed instant with whole seconds, as stores keep times.
var now = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// ctx bounds each subtest generously: a hundred concurrent claims queue at
// a one-threaded test server on a busy machine.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error = %v, want one wrapping %v", what, err, want)
	}
}

func testTenants(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	_, err := s.GetTenant(c, "acme")
	wantErr(t, "GetTenant of an absent tenant", err, tenancy.ErrNotFound)

	acme := tenancy.Tenant{ID: "acme", Name: "Acme", Organisation: "Acme Corporation Ltd", Status: tenancy.StatusActive, Tier: "pro"}
	must(t, s.PutTenant(c, acme))
	got, err := s.GetTenant(c, "acme")
	must(t, err)
	if got != acme {
		t.Fatalf("GetTenant = %+v, want %+v", got, acme)
	}

	// A put replaces: this is how a tenant is suspended.
	acme.Status, acme.Tier = tenancy.StatusSuspended, ""
	must(t, s.PutTenant(c, acme))
	if got, _ := s.GetTenant(c, "acme"); got != acme {
		t.Fatalf("after replace GetTenant = %+v, want %+v", got, acme)
	}

	for _, bad := range []tenancy.Tenant{
		{ID: "", Status: tenancy.StatusActive},
		{ID: "has space", Status: tenancy.StatusActive},
		{ID: "a:b", Status: tenancy.StatusActive},
		{ID: "ok", Status: "DELETED"},
	} {
		if err := s.PutTenant(c, bad); err == nil {
			t.Errorf("PutTenant(%+v) succeeded, want a validation error", bad)
		}
	}
	if _, err := s.GetTenant(c, "ok"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("a refused PutTenant stored something: %v", err)
	}
}

// Subs of the suite's users, in Cognito's form.
const (
	subJdoe  = "8f3c2a10-0b6e-4c1e-9d4a-2f7e1b5c9a01"
	subOther = "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	subJane  = "a1b2c3d4-1111-4222-8333-944455556666"
	subNew   = "b2c3d4e5-7777-4888-9999-aaaabbbbcccc"
)

func testMemberships(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	ms, err := s.ListMemberships(c, subJdoe)
	must(t, err)
	if len(ms) != 0 {
		t.Fatalf("ListMemberships of a new user = %v, want none", ms)
	}
	b := tenancy.Membership{Sub: subJdoe, UserName: "jdoe", TenantID: "globex", Role: "viewer", CreatedAt: now}
	a := tenancy.Membership{Sub: subJdoe, UserName: "jdoe", TenantID: "acme", Role: "admin", Permissions: []string{"billing", "users"}, InvitationID: fmt.Sprintf("%064x", 7), CreatedAt: now}
	must(t, s.PutMembership(c, b))
	must(t, s.PutMembership(c, a))
	must(t, s.PutMembership(c, a)) // idempotent
	must(t, s.PutMembership(c, tenancy.Membership{Sub: subOther, UserName: "other", TenantID: "acme", Role: "member"}))
	// The user name is informational: a membership without one is fine.
	must(t, s.PutMembership(c, tenancy.Membership{Sub: subNew, TenantID: "acme", Role: "member"}))

	ms, err = s.ListMemberships(c, subJdoe)
	must(t, err)
	if want := []tenancy.Membership{a, b}; !reflect.DeepEqual(ms, want) {
		t.Fatalf("ListMemberships = %+v, want %+v (ordered by tenant ID)", ms, want)
	}

	// Replacing changes the role; a returned slice is the caller's own.
	a.Role, a.Permissions = "member", nil
	must(t, s.PutMembership(c, a))
	ms, _ = s.ListMemberships(c, subJdoe)
	if ms[0].Role != "member" || len(ms[0].Permissions) != 0 {
		t.Fatalf("after replace = %+v", ms[0])
	}

	for _, bad := range []tenancy.Membership{
		{Sub: "", UserName: "u", TenantID: "acme", Role: "admin"},
		{Sub: "u", TenantID: "", Role: "admin"},
		{Sub: "u", TenantID: "acme", Role: ""},
		{Sub: "u", TenantID: "acme", Role: "bad role"},
	} {
		if err := s.PutMembership(c, bad); err == nil {
			t.Errorf("PutMembership(%+v) succeeded, want a validation error", bad)
		}
	}
	if ms, _ := s.ListMemberships(c, "u"); len(ms) != 0 {
		t.Errorf("a refused PutMembership stored %+v", ms)
	}
	// Memberships are found by sub only, never by user name.
	if ms, _ := s.ListMemberships(c, "jdoe"); len(ms) != 0 {
		t.Errorf("ListMemberships by user name found %+v", ms)
	}
	if ms, _ := s.ListMemberships(c, ""); len(ms) != 0 {
		t.Errorf("ListMemberships of an empty sub found %+v", ms)
	}
}

// testReusedUserName: a user is deleted and someone else signs up under
// the same user name. The newcomer has another sub and inherits nothing:
// not the memberships, and not the invitation the first user bound.
func testReusedUserName(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	inv := newInvitation(t, "jane@example.com", time.Hour)
	must(t, s.CreateInvitation(c, inv))
	_, err := s.ClaimInvitation(c, tenancy.InvitationClaim{InvitationID: inv.ID, Email: "jane@example.com", UserName: "jane", Now: now})
	must(t, err)
	_, err = s.BindInvitation(c, tenancy.InvitationBinding{InvitationID: inv.ID, UserName: "jane", Sub: subJane, Email: "jane@example.com"})
	must(t, err)
	must(t, s.PutMembership(c, tenancy.Membership{Sub: subJane, UserName: "jane", TenantID: "acme", Role: "admin", InvitationID: inv.ID, CreatedAt: now}))

	// The newcomer "jane" has a new sub.
	if ms, _ := s.ListMemberships(c, subNew); len(ms) != 0 {
		t.Fatalf("a new user with a reused name inherits %+v", ms)
	}
	// Claiming again under the same name is allowed (a retried sign-up),
	// but binding to another sub is not.
	_, err = s.ClaimInvitation(c, tenancy.InvitationClaim{InvitationID: inv.ID, Email: "jane@example.com", UserName: "jane", Now: now.Add(time.Minute)})
	must(t, err)
	_, err = s.BindInvitation(c, tenancy.InvitationBinding{InvitationID: inv.ID, UserName: "jane", Sub: subNew, Email: "jane@example.com"})
	wantErr(t, "binding a bound invitation to a new sub", err, tenancy.ErrInvitationUsed)
	// A bound claim cannot be released either.
	must(t, s.ReleaseInvitation(c, inv.ID, "jane"))
	got, err := s.GetInvitation(c, inv.ID)
	must(t, err)
	if got.UsedBy != "jane" || got.BoundSub != subJane {
		t.Fatalf("after the newcomer's attempts = %+v, want held by jane and bound to the first sub", got)
	}
}

func testBindings(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	if got, err := s.ClaimedInvitations(c, "jane"); err != nil || len(got) != 0 {
		t.Fatalf("ClaimedInvitations of a new name = %v, %v; want none", got, err)
	}
	first := newInvitation(t, "jane@example.com", time.Hour)
	second := newInvitation(t, "jane@example.com", time.Hour)
	taken := newInvitation(t, "jane@example.com", time.Hour)
	for _, inv := range []tenancy.Invitation{first, second, taken} {
		must(t, s.CreateInvitation(c, inv))
	}
	claim := func(inv tenancy.Invitation, user string, at time.Time) error {
		_, err := s.ClaimInvitation(c, tenancy.InvitationClaim{InvitationID: inv.ID, Email: "jane@example.com", UserName: user, Now: at})
		return err
	}
	must(t, claim(taken, "mallory", now))
	must(t, claim(first, "jane", now.Add(time.Second)))
	must(t, claim(second, "jane", now.Add(2*time.Second)))
	wantErr(t, "claim of a taken invitation", claim(taken, "jane", now.Add(3*time.Second)), tenancy.ErrInvitationUsed)

	got, err := s.ClaimedInvitations(c, "jane")
	must(t, err)
	var ids []string
	for _, inv := range got {
		ids = append(ids, inv.ID)
	}
	if want := []string{taken.ID, second.ID, first.ID}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ClaimedInvitations = %v, want newest claim first %v (including the failed one)", ids, want)
	}
	if got[0].UsedBy != "mallory" || got[1].UsedBy != "jane" {
		t.Fatalf("ClaimedInvitations gave %+v, want each invitation as stored", got)
	}

	bind := func(inv tenancy.Invitation, user, sub, email string) error {
		_, err := s.BindInvitation(c, tenancy.InvitationBinding{InvitationID: inv.ID, UserName: user, Sub: sub, Email: email})
		return err
	}
	wantErr(t, "binding another holder's invitation", bind(taken, "jane", subJane, "jane@example.com"), tenancy.ErrInvitationUsed)
	wantErr(t, "binding with another email", bind(second, "jane", subJane, "evil@example.com"), tenancy.ErrInvitationEmail)
	wantErr(t, "binding an absent invitation", bind(tenancy.Invitation{ID: fmt.Sprintf("%064x", 3)}, "jane", subJane, "jane@example.com"), tenancy.ErrNotFound)
	if err := bind(second, "jane", "", "jane@example.com"); err == nil {
		t.Fatal("binding without a sub succeeded")
	}
	bound, err := s.BindInvitation(c, tenancy.InvitationBinding{InvitationID: second.ID, UserName: "jane", Sub: subJane, Email: " JANE@example.com"})
	must(t, err)
	if bound.BoundSub != subJane || bound.UsedBy != "jane" || bound.TenantID != "acme" {
		t.Fatalf("bound = %+v", bound)
	}
	must(t, bind(second, "jane", subJane, "jane@example.com")) // a retried confirmation
	if got, _ := s.GetInvitation(c, second.ID); got.BoundSub != subJane {
		t.Fatalf("GetInvitation after binding = %+v", got)
	}
}

func testConcurrentBindings(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	inv := newInvitation(t, "jane@example.com", time.Hour)
	must(t, s.CreateInvitation(c, inv))
	_, err := s.ClaimInvitation(c, tenancy.InvitationClaim{InvitationID: inv.ID, Email: "jane@example.com", UserName: "jane", Now: now})
	must(t, err)
	const n = 20
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		won []string
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := fmt.Sprintf("sub-%03d", i)
			if _, err := s.BindInvitation(c, tenancy.InvitationBinding{InvitationID: inv.ID, UserName: "jane", Sub: sub, Email: "jane@example.com"}); err == nil {
				mu.Lock()
				won = append(won, sub)
				mu.Unlock()
			} else if !errors.Is(err, tenancy.ErrInvitationUsed) {
				t.Errorf("losing binding: %v", err)
			}
		}()
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("%d of %d concurrent bindings to different subs succeeded (%v), want exactly 1", len(won), n, won)
	}
}

func testClients(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	_, err := s.GetClient(c, "m2m")
	wantErr(t, "GetClient of an absent client", err, tenancy.ErrNotFound)
	cl := tenancy.Client{ClientID: "m2m", TenantID: "acme", Role: "service"}
	must(t, s.PutClient(c, cl))
	got, err := s.GetClient(c, "m2m")
	must(t, err)
	if got != cl {
		t.Fatalf("GetClient = %+v, want %+v", got, cl)
	}
	if err := s.PutClient(c, tenancy.Client{ClientID: "x", TenantID: "acme"}); err == nil {
		t.Error("PutClient without a role succeeded")
	}
}

func newInvitation(t *testing.T, email string, validFor time.Duration) tenancy.Invitation {
	t.Helper()
	inv, _, err := tenancy.NewInvitation("acme", "admin", email, validFor, now)
	must(t, err)
	return inv
}

func testInvitations(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	inv := newInvitation(t, "Jane.Doe@Example.com ", time.Hour)
	_, err := s.GetInvitation(c, inv.ID)
	wantErr(t, "GetInvitation of an absent invitation", err, tenancy.ErrNotFound)

	must(t, s.CreateInvitation(c, inv))
	wantErr(t, "second CreateInvitation", s.CreateInvitation(c, inv), tenancy.ErrExists)
	got, err := s.GetInvitation(c, inv.ID)
	must(t, err)
	if !reflect.DeepEqual(got, inv) {
		t.Fatalf("GetInvitation = %+v, want %+v", got, inv)
	}
	if got.BoundSub != "" {
		t.Fatalf("a new invitation is bound to %q", got.BoundSub)
	}
	if got.Email != "jane.doe@example.com" {
		t.Fatalf("email kept as %q, want it normalised", got.Email)
	}

	// Claim, then claim again as the same user (a retried sign-up).
	claim := tenancy.InvitationClaim{InvitationID: inv.ID, Email: "JANE.DOE@example.com", UserName: "jane", Now: now.Add(time.Minute)}
	claimed, err := s.ClaimInvitation(c, claim)
	must(t, err)
	if claimed.UsedBy != "jane" || !claimed.UsedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("claimed = %+v, want UsedBy jane at %v", claimed, now.Add(time.Minute))
	}
	claim.Now = now.Add(2 * time.Minute)
	again, err := s.ClaimInvitation(c, claim)
	must(t, err)
	if !again.UsedAt.Equal(claimed.UsedAt) {
		t.Fatalf("a repeated claim moved UsedAt from %v to %v", claimed.UsedAt, again.UsedAt)
	}

	// Another user is refused, even with the right email.
	other := claim
	other.UserName = "mallory"
	_, err = s.ClaimInvitation(c, other)
	wantErr(t, "claim of a used invitation", err, tenancy.ErrInvitationUsed)

	// Release by someone else does nothing; by the holder frees it.
	must(t, s.ReleaseInvitation(c, inv.ID, "mallory"))
	_, err = s.ClaimInvitation(c, other)
	wantErr(t, "claim after a release by a non-holder", err, tenancy.ErrInvitationUsed)
	must(t, s.ReleaseInvitation(c, inv.ID, "jane"))
	if got, _ := s.GetInvitation(c, inv.ID); got.UsedBy != "" || !got.UsedAt.IsZero() {
		t.Fatalf("after release = %+v, want unused", got)
	}
	if _, err := s.ClaimInvitation(c, other); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	must(t, s.ReleaseInvitation(c, "0000000000000000000000000000000000000000000000000000000000000000", "x"))

	// Bad input is refused and stores nothing.
	bad := newInvitation(t, "x@example.com", time.Hour)
	bad.Email = "not normalised@EXAMPLE.com"
	if err := s.CreateInvitation(c, bad); err == nil {
		t.Error("CreateInvitation with an unnormalised email succeeded")
	}
	bad = newInvitation(t, "x@example.com", time.Hour)
	bad.ID = "plain-token"
	if err := s.CreateInvitation(c, bad); err == nil {
		t.Error("CreateInvitation with an ID that is not a token hash succeeded")
	}
	bad = newInvitation(t, "x@example.com", time.Hour)
	bad.ExpiresAt = time.Time{}
	if err := s.CreateInvitation(c, bad); err == nil {
		t.Error("CreateInvitation without expiry succeeded")
	}
	if _, err := s.GetInvitation(c, bad.ID); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("a refused CreateInvitation stored something: %v", err)
	}
}

func testClaimRules(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	inv := newInvitation(t, "jane@example.com", time.Hour)
	must(t, s.CreateInvitation(c, inv))
	claim := func(email, user string, at time.Time) error {
		_, err := s.ClaimInvitation(c, tenancy.InvitationClaim{InvitationID: inv.ID, Email: email, UserName: user, Now: at})
		return err
	}
	unused := func() {
		t.Helper()
		got, err := s.GetInvitation(c, inv.ID)
		must(t, err)
		if got.UsedBy != "" {
			t.Fatalf("a refused claim bound the invitation to %q", got.UsedBy)
		}
	}
	wantErr(t, "claim with the wrong email", claim("john@example.com", "john", now), tenancy.ErrInvitationEmail)
	unused()
	// Expiry is exclusive and in whole seconds.
	wantErr(t, "claim at expiry", claim("jane@example.com", "jane", inv.ExpiresAt), tenancy.ErrInvitationExpired)
	wantErr(t, "claim after expiry", claim("jane@example.com", "jane", inv.ExpiresAt.Add(time.Hour)), tenancy.ErrInvitationExpired)
	unused()
	_, err := s.ClaimInvitation(c, tenancy.InvitationClaim{InvitationID: fmt.Sprintf("%064x", 1), Email: "jane@example.com", UserName: "jane", Now: now})
	wantErr(t, "claim of an absent invitation", err, tenancy.ErrNotFound)
	if err := claim("jane@example.com", "", now); err == nil {
		t.Fatal("claim without a user name succeeded")
	}
	unused()
	must(t, claim("jane@example.com", "jane", inv.ExpiresAt.Add(-time.Second)))
}

func testConcurrentClaims(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	inv := newInvitation(t, "jane@example.com", time.Hour)
	must(t, s.CreateInvitation(c, inv))
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		winners = make(chan string, Concurrency)
		errs    = make(chan error, Concurrency)
	)
	for i := range Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			user := fmt.Sprintf("user-%03d", i)
			_, err := s.ClaimInvitation(c, tenancy.InvitationClaim{InvitationID: inv.ID, Email: "jane@example.com", UserName: user, Now: now})
			if err != nil {
				errs <- err
				return
			}
			winners <- user
		}()
	}
	close(start)
	wg.Wait()
	close(winners)
	close(errs)
	var won []string
	for w := range winners {
		won = append(won, w)
	}
	if len(won) != 1 {
		t.Fatalf("%d of %d concurrent claims succeeded (%v), want exactly 1", len(won), Concurrency, won)
	}
	for err := range errs {
		wantErr(t, "losing claim", err, tenancy.ErrInvitationUsed)
	}
	got, err := s.GetInvitation(c, inv.ID)
	must(t, err)
	if got.UsedBy != won[0] {
		t.Fatalf("invitation held by %q, but %q won", got.UsedBy, won[0])
	}
}

func testLinks(t *testing.T, s tenancy.Store) {
	c := ctx(t)
	_, err := s.GetLink(c, "Google", "1098")
	wantErr(t, "GetLink of an absent link", err, tenancy.ErrNotFound)
	l := tenancy.Link{ProviderName: "Google", ProviderUserID: "1098", UserPoolID: "us-east-1_X", DestinationUser: "jdoe", LinkedAt: now}
	got, err := s.RecordLink(c, l)
	must(t, err)
	if got != l {
		t.Fatalf("RecordLink = %+v, want %+v", got, l)
	}
	later := l
	later.DestinationUser, later.LinkedAt = "someone-else", now.Add(time.Hour)
	got, err = s.RecordLink(c, later)
	must(t, err)
	if got != l {
		t.Fatalf("a repeated RecordLink returned %+v, want the first record %+v", got, l)
	}
	if got, _ := s.GetLink(c, "Google", "1098"); got != l {
		t.Fatalf("GetLink = %+v, want the first record %+v", got, l)
	}
	if _, err := s.RecordLink(c, tenancy.Link{ProviderName: "Google"}); err == nil {
		t.Fatal("RecordLink without subject or destination succeeded")
	}
}

func testCanceled(t *testing.T, s tenancy.Store) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.GetTenant(c, "acme")
	wantErr(t, "GetTenant with a canceled context", err, context.Canceled)
	err = s.PutTenant(c, tenancy.Tenant{ID: "acme", Status: tenancy.StatusActive})
	wantErr(t, "PutTenant with a canceled context", err, context.Canceled)
	if _, err := s.GetTenant(ctx(t), "acme"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Fatalf("a canceled PutTenant stored the tenant: %v", err)
	}
}
