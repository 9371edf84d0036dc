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
	// clientMakers are the constructors of the clients this build links.
	clientMakers []clientMaker
	// afterClients run once every client exists, with the clients and
	// whether name is to be made (esdk.go's keyring uses the KMS client).
	afterClients []func(clients []any, made func(name string) bool)
	// names are the names BARE_MAKE may give: the clients' and, with
	// bare_esdk, "esdk".
	names []string
	// madeNames are what this process made, for BARE_REPORT.
	madeNames []string
	// calls are one operation of each client, with bare_calls; the
	// handler runs them only for an event that asks (callsMetadata), so
	// they are linked but a measurement never runs them.
	calls []func(context.Context) error
)

// callsMetadata is the clientMetadata key of an event that runs calls.
const callsMetadata = "bare_calls"

// A clientMaker makes the client of one service, named as its tag.
type clientMaker struct {
	name string
	make func(aws.Config) any
}

func main() {
	// With no client (-tags bare_select alone) it links the configuration
	// but loads none, as a function whose concerns call no AWS service
	// (handlers/messages without its senders) does.
	list, only := os.LookupEnv("BARE_MAKE")
	for _, m := range clientMakers {
		names = append(names, m.name)
	}
	for _, name := range strings.Fields(list) {
		if !slices.Contains(names, name) {
			log.Fatalf("configuration: BARE_MAKE names %q, which this build does not link (it links %v)", name, names)
		}
	}
	made := func(name string) bool { return !only || slices.Contains(strings.Fields(list), name) }
	var cfg aws.Config
	if slices.ContainsFunc(clientMakers, func(m clientMaker) bool { return made(m.name) }) {
		var err error
		if cfg, err = config.LoadDefaultConfig(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	// The clients a function would keep for its invocations.
	clients := make([]any, 0, len(clientMakers))
	for _, m := range clientMakers {
		if made(m.name) {
			clients = append(clients, m.make(cfg))
			madeNames = append(madeNames, m.name)
		}
	}
	for _, f := range afterClients {
		f(clients, made)
	}
	// For TestBaselinesStart: what it made, checked against what the
	// function makes.
	if os.Getenv("BARE_REPORT") != "" {
		fmt.Fprintf(os.Stderr, "bare made: %s\n", strings.Join(madeNames, " "))
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
