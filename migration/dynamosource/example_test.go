package dynamosource_test

import (
	"context"
	"log"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
)

// A Lambda function's setup: the legacy table "legacy-users", keyed by
// "email", with bcrypt hashes in "pwd". (Not run: it needs AWS.)
func ExampleNew() {
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	src, err := dynamosource.New(dynamosource.Config{
		Client:        dynamodb.NewFromConfig(awsCfg),
		Table:         "legacy-users",
		KeyAttribute:  "email",
		HashAttribute: "pwd",
		Fields:        []string{"first_name", "last_name", "email_confirmed"},
	})
	if err != nil {
		log.Fatal(err)
	}
	h, err := migration.New(migration.Config{
		Source:  src,
		Mapping: migration.Mapping{"email": "email", "email_confirmed": "email_verified", "first_name": "given_name", "last_name": "family_name"},
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = h // router.UserMigration(h.Handle); lambda.Start(router)
}
