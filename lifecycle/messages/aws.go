package messages

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/delivery"
)

// SESAPI is the part of the Amazon SES v2 API that SES uses;
// *sesv2.Client implements it.
type SESAPI = delivery.SESAPI

// SES delivers email through Amazon SES (API v2): SendEmail sends an Email
// as HTML. It is package delivery's SES, which also serves custom
// authentication, so both share one set of checks.
type SES = delivery.SES

// SNSAPI is the part of the Amazon SNS API that SNS uses; *sns.Client
// implements it.
type SNSAPI = delivery.SNSAPI

// SNS delivers text messages through Amazon SNS, as transactional SMS:
// SendSMS publishes an SMS. It is package delivery's SNS.
type SNS = delivery.SNS

// CognitoAPI is the part of the Amazon Cognito user pools API that
// CognitoUsers uses; *cognitoidentityprovider.Client implements it.
type CognitoAPI interface {
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// CognitoUsers looks users up with AdminGetUser (the function's role needs
// cognito-idp:AdminGetUser on the user pool). It implements UserDirectory.
type CognitoUsers struct {
	Client CognitoAPI
}

// UserAttributes returns the attributes of the user userName (or an alias
// of it) in the pool userPoolID.
func (c *CognitoUsers) UserAttributes(ctx context.Context, userPoolID, userName string) (map[string]string, error) {
	if c.Client == nil {
		return nil, errors.New("messages: CognitoUsers needs a Client")
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
