// Command sdk is the second baseline of the cold-start measurements: the
// bare custom message handler of internal/barebootstrap/custommessage, plus
// what any function that calls AWS pays at start without cognitrig - the
// AWS SDK's default configuration and a client of each service the
// function compared links. Built without tags it makes one of each service
// handlers/all links (DynamoDB, SES v2, SNS, KMS, Cognito user pools,
// Secrets Manager); with -tags bare_select plus one bare_SERVICE tag per
// service (bare_dynamodb, bare_sesv2, bare_sns, bare_kms, bare_cip,
// bare_secretsmanager) only those, to match a per-concern function, or none
// at all. Two tags are never implied:
//
//   - bare_esdk adds the AWS Encryption SDK client and KMS keyring that a
//     function decrypting custom sender codes makes at start (esdk.go; the
//     key ARN in KEY_ARN; needs the KMS client).
//   - bare_calls makes one operation of each client reachable from the
//     handler (GetItem, SendEmail, Publish, Decrypt, AdminGetUser,
//     GetSecretValue, and the Encryption SDK's Decrypt), so that the
//     binary links the SDK's request path: signing, retries, and the
//     credential chain's STS, SSO and sign-in operations, as every
//     function that calls AWS does. Without it a client's operations are
//     dead code, which the linker drops.
//
// BARE_MAKE (a space-separated list of the services' tag names, esdk
// included) names the clients it makes at start, as a function makes only
// the clients its configuration uses while linking all it may use; unset,
// it makes every client it links; a name it does not link stops it.
// BARE_REPORT=1 prints what it made to stderr. The difference between it and the
// function is cognitrig's own cost.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// A baseline binary has no state but these, each filled by its files' init
// functions (one file per service).
var (
	// clientMakers make the clients this build links.
	clientMakers []clientMaker
	// calls are one operation of each client made, with bare_calls; the
	// handler runs them only for an event that asks (callsMetadata), so
	// they are linked but a measurement never runs them.
	calls []func(context.Context) error
)

// callsMetadata is the clientMetadata key of an event that runs calls.
const callsMetadata = "bare_calls"

// A clientMaker makes one client, named as its tag, with make from the SDK
// configuration or, once the others are made, with after from them
// (esdk.go's keyring uses the KMS client).
type clientMaker struct {
	name  string
	make  func(aws.Config) any
	after func(clients []any) any
}

func main() {
	list, only := os.LookupEnv("BARE_MAKE")
	for _, name := range strings.Fields(list) {
		if !slices.ContainsFunc(clientMakers, func(m clientMaker) bool { return m.name == name }) {
			log.Fatalf("configuration: BARE_MAKE names %q, which this build does not link", name)
		}
	}
	made := func(m clientMaker) bool { return !only || slices.Contains(strings.Fields(list), m.name) }
	// With no client to make it links the configuration but loads none,
	// as a function whose concerns call no AWS service (handlers/messages
	// without its senders) does.
	var cfg aws.Config
	if slices.ContainsFunc(clientMakers, made) {
		var err error
		if cfg, err = config.LoadDefaultConfig(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	// The clients a function would keep for its invocations: those made
	// from the configuration first, then those made from them.
	var clients []any
	var names []string
	for _, after := range []bool{false, true} {
		for _, m := range clientMakers {
			if (m.after != nil) != after || !made(m) {
				continue
			}
			if after {
				clients = append(clients, m.after(clients))
			} else {
				clients = append(clients, m.make(cfg))
			}
			names = append(names, m.name)
		}
	}
	// For TestBaselinesStart: what it made, checked against what the
	// function makes.
	if os.Getenv("BARE_REPORT") != "" {
		fmt.Fprintf(os.Stderr, "bare made: %s\n", strings.Join(names, " "))
	}
	lambda.Start(func(ctx context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		_ = clients
		if ev.Request.ClientMetadata[callsMetadata] != "" {
			var errs []error
			for _, call := range calls {
				errs = append(errs, call(ctx))
			}
			if err := errors.Join(errs...); err != nil {
				return ev, fmt.Errorf("baseline calls: %w", err)
			}
		}
		code := ev.Request.CodeParameter
		if ev.TriggerSource == "CustomMessage_SignUp" {
			ev.Response.EmailSubject = "Confirm your email address"
			ev.Response.EmailMessage = "<p>Welcome! Your confirmation code is <b>" + code + "</b>.</p><p>If you did not ask for this, you can ignore this email.</p>"
			ev.Response.SMSMessage = "Your confirmation code is " + code
		}
		return ev, nil
	})
}
