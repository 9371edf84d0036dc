package federation_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/federation"
	"github.com/cognitrig/cognitrig/triggers"
)

// pool stands in for *cognitoidentityprovider.Client: one native user.
type pool struct{ linked []string }

func (p *pool) ListUsers(context.Context, *cip.ListUsersInput, ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	return &cip.ListUsersOutput{Users: []types.UserType{{
		Username: aws.String("jdoe"), Enabled: true, UserStatus: types.UserStatusTypeConfirmed,
		Attributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String("jdoe@example.com")},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	}}}, nil
}

func (p *pool) AdminLinkProviderForUser(_ context.Context, in *cip.AdminLinkProviderForUserInput, _ ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	p.linked = append(p.linked, aws.ToString(in.SourceUser.ProviderName)+"/"+aws.ToString(in.SourceUser.ProviderAttributeValue)+
		" -> "+aws.ToString(in.DestinationUser.ProviderAttributeValue))
	return &cip.AdminLinkProviderForUserOutput{}, nil
}

func Example() {
	ctx := context.Background()
	store := tenancy.NewMemoryStore()
	cognito := &pool{} // in a Lambda: cognitoidentityprovider.NewFromConfig(cfg)
	linker, _ := federation.New(federation.Config{Cognito: cognito, Store: store, Providers: []string{"Google"}})

	ev := &triggers.PreSignUpEvent{}
	ev.TriggerSource, ev.UserPoolID, ev.UserName = triggers.PreSignUpExternalProvider, "us-east-1_EXAMPLE1", "Google_1098765"
	ev.Request.UserAttributes = triggers.Attributes{"email": "jdoe@example.com", "email_verified": "true"}

	fmt.Println(linker.PreSignUp(ctx, ev))
	fmt.Println(cognito.linked)
	rec, _ := store.GetLink(ctx, "Google", "1098765")
	fmt.Println(rec.DestinationUser)
	// Output:
	// Your sign-in was linked to your existing account. Please sign in again.
	// [Google/1098765 -> jdoe]
	// jdoe
}
