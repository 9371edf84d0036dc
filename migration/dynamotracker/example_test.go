package dynamotracker_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
)

// An operator's view of a migration in progress. (Not run: it needs AWS.)
func ExampleTracker_Progress() {
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	tr, err := dynamotracker.New(dynamotracker.Config{Client: dynamodb.NewFromConfig(awsCfg), Table: "migration-tracking"})
	if err != nil {
		log.Fatal(err)
	}
	counts, err := tr.Progress(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range migration.Outcomes() {
		fmt.Printf("%-20s %d\n", o, counts[o])
	}
	// Users who keep failing to sign in, oldest first:
	for r, err := range tr.List(ctx, migration.OutcomeWrongPassword) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Username, r.Attempts, r.LastSeen)
	}
}
