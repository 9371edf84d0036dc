// Command sdk is the second baseline of the cold-start measurement of
// handlers/all: the bare custom message handler of
// internal/barebootstrap/custommessage, plus what any function that calls
// AWS pays at start without cognitrig - the AWS SDK's default configuration
// and a client of each service handlers/all uses (DynamoDB, SES v2, SNS,
// KMS, Cognito user pools). The difference between it and handlers/all is
// cognitrig's own cost.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	// The clients a function would keep for its invocations.
	clients := []any{dynamodb.NewFromConfig(cfg), sesv2.NewFromConfig(cfg), sns.NewFromConfig(cfg), kms.NewFromConfig(cfg), cip.NewFromConfig(cfg)}
	lambda.Start(func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		_ = clients
		code := ev.Request.CodeParameter
		if ev.TriggerSource == "CustomMessage_SignUp" {
			ev.Response.EmailSubject = "Confirm your email address"
			ev.Response.EmailMessage = "<p>Welcome! Your confirmation code is <b>" + code + "</b>.</p><p>If you did not ask for this, you can ignore this email.</p>"
			ev.Response.SMSMessage = "Your confirmation code is " + code
		}
		return ev, nil
	})
}
