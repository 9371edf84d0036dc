package customauth

// The service clients this concern calls, and only those: see compose.Client.

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
)

// dynamo returns the process's DynamoDB client, shared with the other concerns.
func dynamo(d *compose.Deps) *dynamodb.Client {
	return compose.Client(d, "dynamodb", func(c aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(c) })
}

// sesClient returns the process's Amazon SES (API v2) client, shared with the other concerns.
func sesClient(d *compose.Deps) *sesv2.Client {
	return compose.Client(d, "sesv2", func(c aws.Config) *sesv2.Client { return sesv2.NewFromConfig(c) })
}

// snsClient returns the process's Amazon SNS client, shared with the other concerns.
func snsClient(d *compose.Deps) *sns.Client {
	return compose.Client(d, "sns", func(c aws.Config) *sns.Client { return sns.NewFromConfig(c) })
}

// kmsClient returns the process's AWS KMS client, shared with the other concerns.
func kmsClient(d *compose.Deps) *kms.Client {
	return compose.Client(d, "kms", func(c aws.Config) *kms.Client { return kms.NewFromConfig(c) })
}
