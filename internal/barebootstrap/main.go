// Command barebootstrap is the baseline for cognitrig's size and cold-start
// measurements: a bare aws-lambda-go pre token generation handler doing the
// same work as handlers/all does for that trigger, without cognitrig.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		tenant := ev.Request.UserAttributes["custom:tenantId"]
		at := &ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
		at.ClaimsToAddOrOverride = map[string]any{"tenant_id": tenant}
		at.ScopesToAdd = []string{"tenant:" + tenant + ":read"}
		return ev, nil
	})
}
