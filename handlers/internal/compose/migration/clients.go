package migration

// The service clients this concern calls, and only those: see compose.Client.

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
)

// dynamo returns the process's DynamoDB client, shared with the other concerns.
func dynamo(d *compose.Deps) *dynamodb.Client {
	return compose.Client(d, "dynamodb", func(c aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(c) })
}
