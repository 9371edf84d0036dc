//go:build !cognitrig_nosenders

package messages

// The service clients this concern calls, and only those: see compose.Client.

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
)

// kmsClient returns the process's AWS KMS client, shared with the other concerns.
func kmsClient(d *compose.Deps) *kms.Client {
	return compose.Client(d, "kms", func(c aws.Config) *kms.Client { return kms.NewFromConfig(c) })
}

// sesClient returns the process's Amazon SES (API v2) client, shared with the other concerns.
func sesClient(d *compose.Deps) *sesv2.Client {
	return compose.Client(d, "sesv2", func(c aws.Config) *sesv2.Client { return sesv2.NewFromConfig(c) })
}

// snsClient returns the process's Amazon SNS client, shared with the other concerns.
func snsClient(d *compose.Deps) *sns.Client {
	return compose.Client(d, "sns", func(c aws.Config) *sns.Client { return sns.NewFromConfig(c) })
}

// cognito returns the process's Cognito user-pool API client, shared with the other concerns.
func cognito(d *compose.Deps) *cip.Client {
	return compose.Client(d, "cognito-idp", func(c aws.Config) *cip.Client { return cip.NewFromConfig(c) })
}
