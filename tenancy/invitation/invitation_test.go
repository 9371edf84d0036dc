package invitation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/internal/tabletest"
	"github.com/cognitrig/cognitrig/tenancy/invitation"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

var now = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// jdoeSub is the sub of jdoe in the recorded post confirmation event.
const jdoeSub = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"

// fixture is a store with tenants and one invitation, and a way to see
// everything the store holds.
type fixture struct {
	store    *countingStore
	snapshot func() string
	token    triggers.Secret
	inv      tenancy.Invitation
}

// countingStore counts successful writes.
type countingStore struct {
	tenancy.Store
	writes  atomic.Int64
	failPut error
}

func (s *countingStore) PutMembership(ctx context.Context, m tenancy.Membership) error {
	if s.failPut != nil {
		return s.failPut
	}
	err := s.Store.PutMembership(ctx, m)
	if err == nil {
		s.writes.Add(1)
	}
	return err
}

func (s *countingStore) BindInvitation(ctx context.Context, b tenancy.InvitationBinding) (tenancy.Invitation, error) {
	inv, err := s.Store.BindInvitation(ctx, b)
	if err == nil {
		s.writes.Add(1)
	}
	return inv, err
}

func (s *countingStore) ClaimInvitation(ctx context.Context, c tenancy.InvitationClaim) (tenancy.Invitation, error) {
	inv, err := s.Store.ClaimInvitation(ctx, c)
	if err == nil {
		s.writes.Add(1)
	}
	return inv, err
}

func (s *countingStore) ReleaseInvitation(ctx context.Context, id, user string) error {
	s.writes.Add(1)
	return s.Store.ReleaseInvitation(ctx, id, user)
}

// stores runs f against the in-memory store and, when the DynamoDB-API
// server is there, the DynamoDB store.
func stores(t *testing.T, f func(t *testing.T, fx *fixture)) {
	t.Run("memory", func(t *testing.T) {
		s := tenancy.NewMemoryStore()
		f(t, newFixture(t, s, func() string { return memorySnapshot(s) }))
	})
	t.Run("dynamodb", func(t *testing.T) {
		s, client, table := tabletest.Store(t)
		f(t, newFixture(t, s, func() string {
			b, _ := json.Marshal(dynamotest.Items(t, client, table))
			return string(b)
		}))
	})
}

func memorySnapshot(s *tenancy.MemoryStore) string {
	// The memory store has no scan; this reads what the tests touch.
	ctx := context.Background()
	var b strings.Builder
	for _, u := range []string{"jdoe", "other"} {
		invs, _ := s.ClaimedInvitations(ctx, u)
		fmt.Fprintf(&b, "%s:%+v\n", u, invs)
	}
	for _, sub := range []string{jdoeSub} {
		ms, _ := s.ListMemberships(ctx, sub)
		fmt.Fprintf(&b, "%s:%+v\n", sub, ms)
	}
	return b.String()
}

func newFixture(t *testing.T, s tenancy.Store, snapshot func() string) *fixture {
	t.Helper()
	ctx := context.Background()
	for _, tn := range []tenancy.Tenant{
		{ID: "acme", Name: "Acme", Status: tenancy.StatusActive, Tier: "pro"},
		{ID: "initech", Name: "Initech", Status: tenancy.StatusSuspended},
	} {
		if err := s.PutTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	inv, token, err := tenancy.NewInvitation("acme", "admin", "jdoe@example.com", 72*time.Hour, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	fx := &fixture{store: &countingStore{Store: s}, token: token, inv: inv}
	fx.snapshot = func() string {
		got, _ := s.GetInvitation(ctx, inv.ID)
		return fmt.Sprintf("%+v\n%s", got, snapshot())
	}
	return fx
}

// invite adds an invitation to the fixture's store.
func (fx *fixture) invite(t *testing.T, tenant, email string, validFor time.Duration) triggers.Secret {
	t.Helper()
	inv, token, err := tenancy.NewInvitation(tenant, "member", email, validFor, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.store.CreateInvitation(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	return token
}

func newHandler(t *testing.T, s tenancy.Store, cfg invitation.Config) *invitation.Handler {
	t.Helper()
	cfg.Store = s
	cfg.Now = func() time.Time { return now }
	h, err := invitation.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func signUp(t *testing.T, token triggers.Secret) *triggertest.Builder {
	return triggertest.From(t, "PreSignUp_SignUp").ClientMetadata("invitationToken", token.Reveal())
}

func TestAccept(t *testing.T) {
	stores(t, func(t *testing.T, fx *fixture) {
		r := triggers.NewRouter()
		r.PreSignUp(newHandler(t, fx.store, invitation.Config{}).PreSignUp)
		ev := triggertest.Run[triggers.PreSignUpEvent](t, r, signUp(t, fx.token).UserAttribute("email", "JDoe@Example.com").JSON(t))
		if !ev.Response.AutoConfirmUser || !ev.Response.AutoVerifyEmail || ev.Response.AutoVerifyPhone {
			t.Fatalf("response = %+v, want confirmed with email verified", ev.Response)
		}
		// No membership yet: pre sign-up has no sub to key it by.
		if ms, err := fx.store.ListMemberships(context.Background(), jdoeSub); err != nil || len(ms) != 0 {
			t.Fatalf("memberships after pre sign-up = %+v, %v; want none until confirmation", ms, err)
		}
		inv, _ := fx.store.GetInvitation(context.Background(), fx.inv.ID)
		if inv.UsedBy != "jdoe" || inv.BoundSub != "" {
			t.Fatalf("invitation used by %q bound to %q, want jdoe, unbound", inv.UsedBy, inv.BoundSub)
		}
		if claimed, _ := fx.store.ClaimedInvitations(context.Background(), "jdoe"); len(claimed) != 1 || claimed[0].ID != fx.inv.ID {
			t.Fatalf("claimed invitations = %+v", claimed)
		}

		// Cognito retries the same event after a timeout: accepted again,
		// nothing new.
		ev = triggertest.Run[triggers.PreSignUpEvent](t, r, signUp(t, fx.token).JSON(t))
		if !ev.Response.AutoConfirmUser {
			t.Fatal("a retried sign-up of the holder was refused")
		}
		if claimed, _ := fx.store.ClaimedInvitations(context.Background(), "jdoe"); len(claimed) != 1 {
			t.Fatalf("after a retry %d claims, want 1", len(claimed))
		}
	})
}

func TestTokenInValidationData(t *testing.T) {
	s := tenancy.NewMemoryStore()
	fx := newFixture(t, s, func() string { return "" })
	h := newHandler(t, fx.store, invitation.Config{TokenKey: "invite"})
	ev := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_SignUp.no-validation-data")
	ev.Request.ValidationData = triggers.Metadata{"invite": fx.token.Reveal()}
	if err := h.PreSignUp(context.Background(), ev); err != nil || !ev.Response.AutoConfirmUser {
		t.Fatalf("token in validationData under a configured key: %v, %+v", err, ev.Response)
	}
}

func TestRefusals(t *testing.T) {
	stores(t, func(t *testing.T, fx *fixture) {
		expired := fx.invite(t, "acme", "jdoe@example.com", time.Hour) // issued an hour ago: expires now
		suspended := fx.invite(t, "initech", "jdoe@example.com", time.Hour*24)
		unknown := fx.invite(t, "umbrella", "jdoe@example.com", time.Hour*24)
		taken := fx.invite(t, "acme", "jdoe@example.com", time.Hour*24)
		if _, err := fx.store.ClaimInvitation(context.Background(), tenancy.InvitationClaim{
			InvitationID: tenancy.InvitationID(taken), Email: "jdoe@example.com", UserName: "other", Now: now,
		}); err != nil {
			t.Fatal(err)
		}
		r := triggers.NewRouter()
		r.PreSignUp(newHandler(t, fx.store, invitation.Config{}).PreSignUp)

		for _, tc := range []struct {
			name    string
			payload []byte
			reason  error
			message string
		}{
			{"expired invitation", signUp(t, expired).JSON(t), tenancy.ErrInvitationExpired, "expired"},
			{"wrong email", signUp(t, fx.token).UserAttribute("email", "mallory@example.com").JSON(t), tenancy.ErrInvitationEmail, "different email address"},
			{"no email", signUp(t, fx.token).Delete("request.userAttributes.email").JSON(t), tenancy.ErrInvitationEmail, "email address"},
			{"suspended tenant", signUp(t, suspended).JSON(t), tenancy.ErrTenantSuspended, "suspended"},
			{"unknown tenant", signUp(t, unknown).JSON(t), tenancy.ErrUnknownTenant, "no longer exists"},
			{"user-supplied custom:tenantId", signUp(t, fx.token).UserAttribute("custom:tenantId", "acme").JSON(t), invitation.ErrTenantChosen, "cannot be chosen"},
			{"user-supplied empty custom:tenantId", signUp(t, fx.token).UserAttribute("custom:tenantId", "").JSON(t), invitation.ErrTenantChosen, "cannot be chosen"},
			{"federated user with custom:tenantId", triggertest.From(t, "PreSignUp_ExternalProvider").UserAttribute("custom:tenantId", "acme").JSON(t), invitation.ErrTenantChosen, "cannot be chosen"},
			{"unknown token", signUp(t, tenancy.NewInvitationToken()).JSON(t), tenancy.ErrNotFound, "not valid"},
			{"oversized token", signUp(t, triggers.Secret(strings.Repeat("x", 4096))).JSON(t), tenancy.ErrNotFound, "not valid"},
			{"used by another user", signUp(t, taken).JSON(t), tenancy.ErrInvitationUsed, "already been used"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before, writes := fx.snapshot(), fx.store.writes.Load()
				out, err := triggertest.Invoke(r, tc.payload, 0)
				var refusal *triggers.Refusal
				if !errors.As(err, &refusal) || !errors.Is(err, tc.reason) || !strings.Contains(err.Error(), tc.message) {
					t.Fatalf("got %v (response %s), want a refusal for %v saying %q", err, out, tc.reason, tc.message)
				}
				if after := fx.snapshot(); after != before || fx.store.writes.Load() != writes {
					t.Fatalf("a refused sign-up wrote to the store:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}

func TestConcurrentSignUps(t *testing.T) {
	const n = 100
	stores(t, func(t *testing.T, fx *fixture) {
		r := triggers.NewRouter()
		r.PreSignUp(newHandler(t, fx.store, invitation.Config{}).PreSignUp)
		payloads := make([][]byte, n)
		for i := range payloads {
			payloads[i] = signUp(t, fx.token).Set("userName", fmt.Sprintf("user-%03d", i)).JSON(t)
		}
		var (
			wg       sync.WaitGroup
			start    = make(chan struct{})
			accepted = make(chan string, n)
			refused  = make(chan error, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Generous: 100 requests at once queue at the one-threaded
				// server on a busy machine.
				out, err := triggertest.Invoke(r, payloads[i], 45*time.Second)
				if err != nil {
					refused <- err
					return
				}
				var ev triggers.PreSignUpEvent
				if json.Unmarshal(out, &ev) == nil && ev.Response.AutoConfirmUser {
					accepted <- ev.UserName
				}
			}()
		}
		close(start)
		wg.Wait()
		close(accepted)
		close(refused)
		nRefused := 0
		for err := range refused {
			nRefused++
			var refusal *triggers.Refusal
			if !errors.As(err, &refusal) || !errors.Is(err, tenancy.ErrInvitationUsed) || refusal.Message != "This invitation has already been used." {
				t.Fatalf("a losing sign-up got %v, want the refusal 'already been used'", err)
			}
		}
		var winners []string
		for u := range accepted {
			winners = append(winners, u)
		}
		if len(winners) != 1 {
			t.Fatalf("%d of %d sign-ups accepted (%v), want exactly 1", len(winners), n, winners)
		}
		if nRefused != n-1 {
			t.Fatalf("%d refused, want %d", nRefused, n-1)
		}
		inv, _ := fx.store.GetInvitation(context.Background(), fx.inv.ID)
		if inv.UsedBy != winners[0] {
			t.Fatalf("invitation held by %q, winner %q", inv.UsedBy, winners[0])
		}
		for i := range n {
			user := fmt.Sprintf("user-%03d", i)
			claimed, _ := fx.store.ClaimedInvitations(context.Background(), user)
			held := len(claimed) == 1 && claimed[0].UsedBy == user
			if (user == winners[0]) != held {
				t.Fatalf("%s holds %+v; only the winner %s may", user, claimed, winners[0])
			}
		}
		t.Logf("1 accepted (%s), %d refused: already used", winners[0], nRefused)
	})
}

func TestWithoutInvitation(t *testing.T) {
	s := tenancy.NewMemoryStore()
	open := newHandler(t, s, invitation.Config{})
	ev := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_SignUp")
	ev.Request.ClientMetadata = nil
	if err := open.PreSignUp(context.Background(), ev); err != nil || ev.Response.AutoConfirmUser || ev.Response.AutoVerifyEmail {
		t.Fatalf("sign-up without invitation: %v, %+v; want it to pass unconfirmed", err, ev.Response)
	}
	closed := newHandler(t, s, invitation.Config{RequireInvitation: true})
	err := closed.PreSignUp(context.Background(), ev)
	if !errors.Is(err, invitation.ErrInvitationRequired) || !strings.Contains(err.Error(), "by invitation only") {
		t.Fatalf("RequireInvitation: %v", err)
	}
	// Invitation-only covers federated sign-ups, which cannot carry a
	// token (issue 12, info); without it they pass unchanged.
	fed := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_ExternalProvider")
	if err := closed.PreSignUp(context.Background(), fed); !errors.Is(err, invitation.ErrInvitationRequired) || !strings.Contains(err.Error(), "by invitation only") {
		t.Fatalf("RequireInvitation, federated sign-up: %v, want the invitation-only refusal", err)
	}
	fed = triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_ExternalProvider")
	if err := open.PreSignUp(context.Background(), fed); err != nil || fed.Response.AutoConfirmUser {
		t.Fatalf("federated sign-up without RequireInvitation: %v, %+v", err, fed.Response)
	}
	// An administrator may set the tenant attribute.
	admin := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_AdminCreateUser")
	admin.Request.UserAttributes["custom:tenantId"] = "acme"
	if err := closed.PreSignUp(context.Background(), admin); err != nil {
		t.Fatalf("AdminCreateUser with a tenant: %v", err)
	}
	if _, err := invitation.New(invitation.Config{}); err == nil || !strings.Contains(err.Error(), "Store") {
		t.Fatalf("New without a store = %v", err)
	}
}

// A failed membership write at confirmation fails the confirmation, and
// Cognito's retry binds again to the same sub and completes it.
func TestMembershipFailureRetries(t *testing.T) {
	stores(t, func(t *testing.T, fx *fixture) {
		cog := awsfake.NewCognitoPool(t)
		cog.AddUser(awsfake.CognitoUser{Username: "jdoe", Attributes: map[string]string{"email": "jdoe@example.com"}, Status: "CONFIRMED", Enabled: true})
		h := newHandler(t, fx.store, invitation.Config{Cognito: cog.Client()})
		ev := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_SignUp")
		ev.Request.ClientMetadata = triggers.Metadata{"invitationToken": fx.token.Reveal()}
		if err := h.PreSignUp(context.Background(), ev); err != nil || !ev.Response.AutoConfirmUser {
			t.Fatalf("PreSignUp = %v, %+v", err, ev.Response)
		}
		fx.store.failPut = errors.New("throttled")
		if err := h.PostConfirmation(context.Background(), confirm(t)); err == nil || !strings.Contains(err.Error(), "throttled") {
			t.Fatalf("PostConfirmation with a failing store = %v", err)
		}
		fx.store.failPut = nil
		if err := h.PostConfirmation(context.Background(), confirm(t)); err != nil {
			t.Fatalf("retried PostConfirmation: %v", err)
		}
		ms, _ := fx.store.ListMemberships(context.Background(), jdoeSub)
		if len(ms) != 1 || ms[0].TenantID != "acme" || ms[0].Role != "admin" || ms[0].UserName != "jdoe" || ms[0].InvitationID != fx.inv.ID {
			t.Fatalf("memberships = %+v", ms)
		}
	})
}

// The invitation token reaches no log line, error or stored record.
func TestTokenNeverLeaks(t *testing.T) {
	stores(t, func(t *testing.T, fx *fixture) {
		var logs bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
		r.PreSignUp(newHandler(t, fx.store, invitation.Config{}).PreSignUp)
		var errs []string
		for _, p := range [][]byte{
			signUp(t, fx.token).UserAttribute("email", "mallory@example.com").JSON(t), // refused
			signUp(t, fx.token).JSON(t),                          // accepted
			signUp(t, fx.token).Set("userName", "other").JSON(t), // refused: used
		} {
			if _, err := triggertest.Invoke(r, p, 0); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if len(errs) != 2 || !strings.Contains(logs.String(), "trigger refused") {
			t.Fatalf("errors %v; logs %s", errs, logs.String())
		}
		secret := fx.token.Reveal()
		if strings.Contains(logs.String(), secret) || strings.Contains(strings.Join(errs, " "), secret) {
			t.Fatal("the invitation token reached a log line or an error")
		}
		if strings.Contains(fx.snapshot(), secret) {
			t.Fatal("the invitation token is stored in plain text")
		}
	})
}

func TestStoredItemsHoldNoToken(t *testing.T) {
	s, client, table := tabletest.Store(t)
	fx := newFixture(t, s, func() string { return "" })
	h := newHandler(t, fx.store, invitation.Config{})
	ev := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_SignUp")
	ev.Request.ClientMetadata = triggers.Metadata{"invitationToken": fx.token.Reveal()}
	if err := h.PreSignUp(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	for _, it := range dynamotest.Items(t, client, table) {
		for name, v := range it {
			if sv, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(sv.Value, fx.token.Reveal()) {
				t.Fatalf("attribute %s holds the token", name)
			}
		}
	}
}
