// Command sdk is the second baseline of the cold-start measurements: the
// bare custom message handler of internal/barebootstrap/custommessage, plus
// what any function that calls AWS pays at start without cognitrig - the
// AWS SDK's default configuration and a client of each service the
// function compared links. Built without tags it makes one of each service
// handlers/all links (DynamoDB, SES v2, SNS, KMS, Cognito user pools,
// Secrets Manager); with -tags bare_select plus one bare_SERVICE tag per
// service (bare_dynamodb, bare_sesv2, bare_sns, bare_kms, bare_cip,
// bare_secretsmanager) only those, to match a per-concern function, or none
// at all. bare_esdk (never implied) adds the AWS Encryption SDK client and
// KMS keyring that a function decrypting custom sender codes makes at
// start (esdk.go; the key ARN in KEY_ARN). The difference between it and
// the function is cognitrig's own cost.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// clientMakers are the constructors of the clients this build links, one
// file per service, each added by its file's init: a baseline binary has
// no other state.
var clientMakers []func(aws.Config) any

// decryptCode, set by esdk.go (bare_esdk), decrypts the code of a custom
// sender event as a custom sender function must before it can send it.
var decryptCode func(context.Context, []byte) ([]byte, error)

func main() {
	// With no client (-tags bare_select alone) it links the configuration
	// but loads none, as a function whose concerns call no AWS service
	// (handlers/messages without its senders) does.
	var cfg aws.Config
	if len(clientMakers) > 0 {
		var err error
		if cfg, err = config.LoadDefaultConfig(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	// The clients a function would keep for its invocations.
	clients := make([]any, 0, len(clientMakers))
	for _, mk := range clientMakers {
		clients = append(clients, mk(cfg))
	}
	if decryptCode == nil {
		lambda.Start(func(ctx context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
			_ = clients
			return customMessage(ctx, ev)
		})
		return
	}
	// With bare_esdk it also answers the custom sender triggers, whose
	// request.code is the base64 of an AWS Encryption SDK message ("Custom
	// sender Lambda triggers"): it decrypts the code, and sending it is
	// the provider's call, which the baseline leaves out.
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (any, error) {
		_ = clients
		var head struct {
			TriggerSource string `json:"triggerSource"`
			Request       struct {
				Code string `json:"code"`
			} `json:"request"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, err
		}
		if strings.HasPrefix(head.TriggerSource, "CustomEmailSender_") || strings.HasPrefix(head.TriggerSource, "CustomSMSSender_") {
			ciphertext, err := base64.StdEncoding.DecodeString(head.Request.Code)
			if err != nil {
				return nil, errors.New("request.code is not base64")
			}
			if _, err := decryptCode(ctx, ciphertext); err != nil {
				return nil, errors.New("cannot decrypt request.code")
			}
			return struct{}{}, nil
		}
		var ev events.CognitoEventUserPoolsCustomMessage
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return customMessage(ctx, ev)
	})
}

// customMessage answers CustomMessage_SignUp as handlers/all's default
// messages do.
func customMessage(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
	code := ev.Request.CodeParameter
	if ev.TriggerSource == "CustomMessage_SignUp" {
		ev.Response.EmailSubject = "Confirm your email address"
		ev.Response.EmailMessage = "<p>Welcome! Your confirmation code is <b>" + code + "</b>.</p><p>If you did not ask for this, you can ignore this email.</p>"
		ev.Response.SMSMessage = "Your confirmation code is " + code
	}
	return ev, nil
}
