package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/triggers"
)

// ErrLinked is the reason of the refusal that ends a sign-up whose
// identity was linked to an existing user.
var ErrLinked = errors.New("federation: identity linked to an existing user; the sign-up ends here")

// DefaultLinkedMessage is shown to a user whose identity was just linked.
const DefaultLinkedMessage = "Your sign-in was linked to your existing account. Please sign in again."

// Admin is the part of *cognitoidentityprovider.Client that Linker uses.
type Admin interface {
	ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error)
}

// LinkStore keeps the audit records of links; tenancy.Store is one.
type LinkStore interface {
	RecordLink(ctx context.Context, l tenancy.Link) (tenancy.Link, error)
	GetLink(ctx context.Context, providerName, providerUserID string) (tenancy.Link, error)
}

// Config configures a Linker.
type Config struct {
	// Cognito is the admin API client, normally a
	// *cognitoidentityprovider.Client with IAM permission for
	// cognito-idp:ListUsers and AdminLinkProviderForUser. Required.
	Cognito Admin
	// Store keeps the audit records. Required.
	Store LinkStore
	// Providers are the names of the identity providers to link, exactly
	// as configured in the user pool ("Google", "SignInWithApple",
	// "AzureAD"). Cognito names a federated user "{provider}_{subject}";
	// users of other providers are not linked. Required.
	Providers []string
	// TrustedEmailProviders are providers whose email addresses count as
	// verified without an email_verified attribute, such as a company's
	// SAML provider that sends none.
	TrustedEmailProviders []string
	// LinkedMessage is the refusal shown after linking. Default
	// DefaultLinkedMessage.
	LinkedMessage string
	// Now is the clock of audit records; default time.Now.
	Now func() time.Time
}

// Linker links federated identities to existing users. It is safe for
// concurrent use.
type Linker struct {
	cognito   Admin
	store     LinkStore
	providers []string
	trusted   []string
	message   string
	now       func() time.Time
}

// New returns a Linker, or an error if cfg is incomplete.
func New(cfg Config) (*Linker, error) {
	switch {
	case cfg.Cognito == nil:
		return nil, errors.New("federation: Config.Cognito is nil; set it to a *cognitoidentityprovider.Client")
	case cfg.Store == nil:
		return nil, errors.New("federation: Config.Store is nil; set it to the tenancy.Store that keeps audit records")
	case len(cfg.Providers) == 0:
		return nil, errors.New("federation: Config.Providers is empty; list the identity provider names of the user pool to link")
	}
	for _, p := range cfg.Providers {
		if p == "" || strings.EqualFold(p, "Cognito") {
			return nil, fmt.Errorf("federation: Config.Providers: %q is not an external identity provider name", p)
		}
	}
	l := &Linker{cognito: cfg.Cognito, store: cfg.Store, providers: cfg.Providers, trusted: cfg.TrustedEmailProviders,
		message: cfg.LinkedMessage, now: cfg.Now}
	if l.message == "" {
		l.message = DefaultLinkedMessage
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l, nil
}

// identity splits a federated user name into the configured provider
// name and the subject; the longest matching provider wins.
func (l *Linker) identity(userName string) (provider, subject string, ok bool) {
	for _, p := range l.providers {
		if len(userName) > len(p)+1 && userName[len(p)] == '_' && strings.EqualFold(userName[:len(p)], p) && len(p) > len(provider) {
			provider, subject, ok = p, userName[len(p)+1:], true
		}
	}
	return provider, subject, ok
}

func (l *Linker) trustedEmail(provider string) bool {
	for _, p := range l.trusted {
		if strings.EqualFold(p, provider) {
			return true
		}
	}
	return false
}

// PreSignUp handles PreSignUp_ExternalProvider (see the package
// documentation); other sign-ups pass unchanged. After a link it returns
// a *triggers.Refusal with Reason ErrLinked.
func (l *Linker) PreSignUp(ctx context.Context, ev *triggers.PreSignUpEvent) error {
	if ev.TriggerSource != triggers.PreSignUpExternalProvider {
		return nil
	}
	provider, subject, ok := l.identity(ev.UserName)
	if !ok {
		return nil
	}
	attrs := ev.Request.UserAttributes
	email := tenancy.NormalizeEmail(attrs["email"])
	if email == "" || strings.ContainsAny(email, `"\`) || (!attrs.Verified("email") && !l.trustedEmail(provider)) {
		return nil
	}
	switch _, err := l.store.GetLink(ctx, provider, subject); {
	case err == nil:
		// Linked by an earlier attempt of this sign-up.
		return triggers.RefuseBecause(ErrLinked, l.message)
	case !errors.Is(err, tenancy.ErrNotFound):
		return fmt.Errorf("federation: read link record: %w", err)
	}

	dest, linked, err := l.destination(ctx, ev.UserPoolID, email, provider, subject)
	if err != nil || dest == "" {
		return err
	}
	if !linked {
		_, err := l.cognito.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
			UserPoolId: aws.String(ev.UserPoolID),
			DestinationUser: &types.ProviderUserIdentifierType{
				ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String(dest),
			},
			SourceUser: &types.ProviderUserIdentifierType{
				ProviderName: aws.String(provider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String(subject),
			},
		})
		if err != nil {
			return fmt.Errorf("federation: link %s identity to existing user %s: %w", provider, dest, err)
		}
	}
	if _, err := l.store.RecordLink(ctx, tenancy.Link{
		ProviderName: provider, ProviderUserID: subject, UserPoolID: ev.UserPoolID, DestinationUser: dest, LinkedAt: l.now(),
	}); err != nil {
		return fmt.Errorf("federation: %s identity linked to %s, but the audit record failed: %w", provider, dest, err)
	}
	triggers.AddMetric(ctx, "AccountLinked", triggers.UnitCount, 1)
	return triggers.RefuseBecause(ErrLinked, l.message)
}

// destination finds the one enabled native user with the verified email,
// and whether the identity is linked to it already. It returns "" when
// there is no such user, or more than one.
func (l *Linker) destination(ctx context.Context, pool, email, provider, subject string) (user string, linked bool, err error) {
	in := &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(`email = "` + email + `"`)}
	var found []types.UserType
	for {
		out, err := l.cognito.ListUsers(ctx, in)
		if err != nil {
			return "", false, fmt.Errorf("federation: find users by email: %w", err)
		}
		for _, u := range out.Users {
			if u.Enabled && u.UserStatus != types.UserStatusTypeExternalProvider && attribute(u, "email_verified") == "true" &&
				tenancy.NormalizeEmail(attribute(u, "email")) == email {
				found = append(found, u)
			}
		}
		if aws.ToString(out.PaginationToken) == "" {
			break
		}
		in.PaginationToken = out.PaginationToken
	}
	if len(found) != 1 {
		if len(found) > 1 {
			triggers.AddMetric(ctx, "AccountLinkAmbiguous", triggers.UnitCount, 1)
		}
		return "", false, nil
	}
	u := found[0]
	var ids []struct {
		UserID       string `json:"userId"`
		ProviderName string `json:"providerName"`
	}
	if v := attribute(u, "identities"); v != "" {
		_ = json.Unmarshal([]byte(v), &ids) // unreadable: link, and let Cognito judge
	}
	for _, id := range ids {
		if id.ProviderName == provider && id.UserID == subject {
			linked = true
		}
	}
	return aws.ToString(u.Username), linked, nil
}

func attribute(u types.UserType, name string) string {
	for _, a := range u.Attributes {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
