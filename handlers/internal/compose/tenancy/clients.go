package tenancy

// The service clients this concern calls, and only those: see compose.Client.

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
)

// dynamo returns the process's DynamoDB client, shared with the other concerns.
func dynamo(d *compose.Deps) *dynamodb.Client {
	return compose.Client(d, "dynamodb", func(c aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(c) })
}

// cognito returns the process's Cognito user-pool API client, shared with the other concerns.
func cognito(d *compose.Deps) *cip.Client {
	return compose.Client(d, "cognito-idp", func(c aws.Config) *cip.Client { return cip.NewFromConfig(c) })
}

// sesClient returns the process's Amazon SES (API v2) client, shared with the other concerns.
func sesClient(d *compose.Deps) *sesv2.Client {
	return compose.Client(d, "sesv2", func(c aws.Config) *sesv2.Client { return sesv2.NewFromConfig(c) })
}
