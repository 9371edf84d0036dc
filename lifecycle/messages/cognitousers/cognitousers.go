package cognitousers

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// API is the part of the Amazon Cognito user pools API that Directory
// uses; *cognitoidentityprovider.Client implements it.
type API interface {
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// Directory looks users up with AdminGetUser ("AdminGetUser", Amazon
// Cognito API Reference; the function's role needs cognito-idp:AdminGetUser
// on the user pool). It implements messages.UserDirectory.
type Directory struct {
	Client API
}

// UserAttributes returns the attributes of the user userName (or an alias
// of it) in the pool userPoolID.
func (c *Directory) UserAttributes(ctx context.Context, userPoolID, userName string) (map[string]string, error) {
	if c.Client == nil {
		return nil, errors.New("cognitousers: Directory needs a Client")
	}
	out, err := c.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(userPoolID), Username: aws.String(userName)})
	if err != nil {
		return nil, fmt.Errorf("AdminGetUser (the role needs cognito-idp:AdminGetUser): %w", err)
	}
	attrs := make(map[string]string, len(out.UserAttributes))
	for _, a := range out.UserAttributes {
		if a.Name != nil && a.Value != nil {
			attrs[*a.Name] = *a.Value
		}
	}
	return attrs, nil
}
