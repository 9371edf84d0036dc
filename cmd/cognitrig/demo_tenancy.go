package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/invitation"
	"github.com/cognitrig/cognitrig/tenancy/pretoken"
	"github.com/cognitrig/cognitrig/triggers"
)

// localAdmin stands in for the Cognito admin API that post-confirmation
// calls: it records the calls so the demo can show them.
type localAdmin struct {
	mu    sync.Mutex
	calls []string
}

func (a *localAdmin) record(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, fmt.Sprintf(format, args...))
}

// take returns the calls since the last take.
func (a *localAdmin) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.calls
	a.calls = nil
	return c
}

func (a *localAdmin) AdminUpdateUserAttributes(_ context.Context, in *cip.AdminUpdateUserAttributesInput, _ ...func(*cip.Options)) (*cip.AdminUpdateUserAttributesOutput, error) {
	for _, at := range in.UserAttributes {
		a.record("AdminUpdateUserAttributes %s: %s=%s", aws.ToString(in.Username), aws.ToString(at.Name), aws.ToString(at.Value))
	}
	return &cip.AdminUpdateUserAttributesOutput{}, nil
}

func (a *localAdmin) AdminAddUserToGroup(_ context.Context, in *cip.AdminAddUserToGroupInput, _ ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	a.record("AdminAddUserToGroup %s: %s", aws.ToString(in.Username), aws.ToString(in.GroupName))
	return &cip.AdminAddUserToGroupOutput{}, nil
}

func (a *localAdmin) CreateGroup(_ context.Context, in *cip.CreateGroupInput, _ ...func(*cip.Options)) (*cip.CreateGroupOutput, error) {
	a.record("CreateGroup %s", aws.ToString(in.GroupName))
	return &cip.CreateGroupOutput{}, nil
}

// demoTenancy: an administrator invites jane to tenant acme; she signs up
// with the invitation, Cognito confirms her, and her tokens carry the
// tenant. The invitation cannot be used twice, and nobody picks a tenant.
func demoTenancy(ctx context.Context, d *demo) error {
	store := tenancy.NewMemoryStore()
	if err := store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Organisation: "Acme Corporation Ltd", Status: tenancy.StatusActive, Tier: "pro"}); err != nil {
		return err
	}
	inv, token, err := tenancy.NewInvitation("acme", "member", "jane@example.com", 72*time.Hour, time.Now())
	if err != nil {
		return err
	}
	if err := store.CreateInvitation(ctx, inv); err != nil {
		return err
	}
	groups := tenancy.MustParseGroupConvention("tenant-{id}-{role}")
	admin := &localAdmin{}
	signUp, err := invitation.New(invitation.Config{Store: store, RequireInvitation: true, Cognito: admin, Groups: groups})
	if err != nil {
		return err
	}
	cache, err := tenancy.NewCache(store, tenancy.CacheConfig{})
	if err != nil {
		return err
	}
	resolver, err := tenancy.NewResolver(tenancy.ResolverConfig{
		Reader: cache,
		Steps:  []tenancy.Step{tenancy.FromAttribute(tenancy.TenantAttribute), tenancy.FromGroups(groups), tenancy.FromMemberships()},
	})
	if err != nil {
		return err
	}
	tokens, err := pretoken.New(pretoken.Config{Resolver: resolver, Groups: groups})
	if err != nil {
		return err
	}
	router := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(d.logger)...))
	signUp.Register(router)
	tokens.Register(router)

	fmt.Fprintln(d.w, "   an administrator invites jane@example.com to tenant acme as member; the token goes to her by e-mail")
	steps := []struct {
		cognito  string
		recorded string
		sets     []any
		want     outcome
	}{
		{"SignUp jane with the invitation token: PreSignUp_SignUp", "PreSignUp_SignUp", []any{
			"userName", "jane", "request.userAttributes", map[string]string{"email": "jane@example.com", "name": "Jane Roe"},
			"request.validationData", map[string]string{}, "request.clientMetadata", map[string]string{invitation.DefaultTokenKey: token.Reveal()},
		}, answers},
		{"SignUp john with the same invitation: PreSignUp_SignUp", "PreSignUp_SignUp", []any{
			"userName", "john", "request.userAttributes", map[string]string{"email": "jane@example.com"},
			"request.validationData", map[string]string{}, "request.clientMetadata", map[string]string{invitation.DefaultTokenKey: token.Reveal()},
		}, refuses},
		{"SignUp mallory choosing tenant acme: PreSignUp_SignUp", "PreSignUp_SignUp", []any{
			"userName", "mallory", "request.userAttributes", map[string]string{"email": "mallory@example.com", tenancy.TenantAttribute: "acme"},
			"request.validationData", map[string]string{}, "request.clientMetadata", map[string]string{},
		}, refuses},
		{"jane is confirmed (auto-confirmed): PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmSignUp", []any{
			"userName", "jane", "request.userAttributes", map[string]string{"sub": "b2c3d4e5-6789-01bc-def0-EXAMPLE22222", "email": "jane@example.com", "email_verified": "true", "cognito:user_status": "CONFIRMED"},
			"request.clientMetadata", map[string]string{},
		}, answers},
		{"jane signs in: TokenGeneration_Authentication (v2)", "TokenGeneration_Authentication.v2", []any{
			"userName", "jane", "request.userAttributes", map[string]string{"sub": "b2c3d4e5-6789-01bc-def0-EXAMPLE22222", "email": "jane@example.com", "email_verified": "true", tenancy.TenantAttribute: "acme"},
			"request.groupConfiguration", map[string]any{"groupsToOverride": []string{"tenant-acme-member"}, "iamRolesToOverride": []string{}},
			"request.scopes", []string{"openid", "email", "tenant:globex:read"},
			"request.clientMetadata", map[string]string{},
		}, answers},
	}
	for _, s := range steps {
		payload, err := event(s.recorded, s.sets...)
		if err != nil {
			return err
		}
		out, err := d.invoke(ctx, router, payload, s.want)
		d.line(s.cognito, answer(out, err))
		for _, call := range admin.take() {
			d.note("the trigger called Cognito (local stand-in): %s", call)
		}
		d.show(payload, out)
	}
	return nil
}
