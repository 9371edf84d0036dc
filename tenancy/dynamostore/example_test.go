package dynamostore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
)

// A Store on a new DynamoDB table. The example needs a DynamoDB endpoint
// and AWS credentials, so it is compiled but not run; to try it locally,
// point AWS_ENDPOINT_URL_DYNAMODB at a DynamoDB-API server such as dynalite.
func ExampleNew() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	client := dynamodb.NewFromConfig(cfg)

	// Usually the CDK stack creates the table, with TTL on
	// dynamostore.TTLAttribute, which CreateTable cannot set.
	table := dynamostore.TableDefinition("cognitrig-tenancy")
	if _, err := client.CreateTable(ctx, &table); err != nil {
		log.Fatal(err)
	}
	err = dynamodb.NewTableExistsWaiter(client).Wait(ctx,
		&dynamodb.DescribeTableInput{TableName: table.TableName}, time.Minute)
	if err != nil {
		log.Fatal(err)
	}

	store, err := dynamostore.New(client, "cognitrig-tenancy")
	if err != nil {
		log.Fatal(err)
	}
	err = store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Status: tenancy.StatusActive, Tier: "pro"})
	if err != nil {
		log.Fatal(err)
	}
	acme, err := store.GetTenant(ctx, "acme")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(acme.Name, acme.Active())
}

// TableDefinition is the table's CreateTable input: a string partition key
// and a string sort key, on-demand billing.
func ExampleTableDefinition() {
	table := dynamostore.TableDefinition("cognitrig-tenancy")
	fmt.Println(aws.ToString(table.TableName), table.BillingMode)
	for _, k := range table.KeySchema {
		fmt.Println("key:", aws.ToString(k.AttributeName), k.KeyType)
	}
	fmt.Println("TTL attribute:", dynamostore.TTLAttribute)

	// Output:
	// cognitrig-tenancy PAY_PER_REQUEST
	// key: pk HASH
	// key: sk RANGE
	// TTL attribute: ttl
}
