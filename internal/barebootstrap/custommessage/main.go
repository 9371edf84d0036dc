// Command custommessage is the baseline of the cold-start measurement of
// handlers/all: a bare aws-lambda-go custom message handler that answers
// CustomMessage_SignUp as handlers/all does (its default templates),
// without cognitrig, the AWS SDK or any configuration.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		code := ev.Request.CodeParameter
		if ev.TriggerSource == "CustomMessage_SignUp" {
			ev.Response.EmailSubject = "Confirm your email address"
			ev.Response.EmailMessage = "<p>Welcome! Your confirmation code is <b>" + code + "</b>.</p><p>If you did not ask for this, you can ignore this email.</p>"
			ev.Response.SMSMessage = "Your confirmation code is " + code
		}
		return ev, nil
	})
}
