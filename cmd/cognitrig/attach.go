package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/cognitrig/cognitrig/internal/attach"
)

const attachUsage = `usage: cognitrig attach --user-pool-id ID --function ARN --triggers LIST [flags]

Points triggers of an existing user pool (made in the console, by
CloudFormation elsewhere or by Terraform) at a function, and lets the pool
invoke it. Cognito's UpdateUserPool resets every setting a call leaves out,
so attach reads the pool with DescribeUserPool, changes only LambdaConfig and
writes every other setting back as it was; where it cannot, it refuses and
names the setting.

  --user-pool-id ID     the pool (required)
  --function ARN        the function's ARN (required)
  --triggers LIST       comma-separated, with a Lambda version where the trigger
                        has one, such as pre-token=V2_0,define-auth,create-auth,verify-auth
                        triggers: pre-sign-up, post-confirmation, pre-auth, post-auth,
                        define-auth, create-auth, verify-auth, pre-token[=V1_0|V2_0|V3_0],
                        migration, custom-message, email-sender, sms-sender,
                        inbound-federation (pre-token defaults to V1_0, as Cognito does)
  --kms-key-id ARN      the key Cognito encrypts sender codes with (custom senders)
  --replace             take a trigger that already invokes another function
  --dry-run             print the change and touch nothing
AWS (credentials and region from the usual environment and files):
  --region REGION
  --cognito-endpoint URL
  --lambda-endpoint URL
The role needs cognito-idp:DescribeUserPool and UpdateUserPool, and
lambda:AddPermission on the function.
`

const detachUsage = `usage: cognitrig detach --user-pool-id ID --triggers LIST [--function ARN] [flags]

Undoes attach: clears the named triggers of the pool (with --function, only
those that invoke that function), writes every other setting back as it was,
and removes attach's invoke permission once no trigger of the pool invokes
the function.

  --user-pool-id ID     the pool (required)
  --triggers LIST       as for attach; versions are ignored
  --function ARN        clear only triggers that invoke this function
  --dry-run             print the change and touch nothing
AWS: --region, --cognito-endpoint, --lambda-endpoint, as for attach.
The role needs cognito-idp:DescribeUserPool and UpdateUserPool, and
lambda:RemovePermission on the function.
`

func runAttach(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return attachOrDetach(ctx, false, args, stdout, stderr)
}

func runDetach(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return attachOrDetach(ctx, true, args, stdout, stderr)
}

func attachOrDetach(ctx context.Context, detach bool, args []string, stdout, stderr io.Writer) int {
	name, usage := "cognitrig attach", attachUsage
	if detach {
		name, usage = "cognitrig detach", detachUsage
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var (
		req                              attach.Request
		triggers                         string
		dryRun                           bool
		region, cogEndpoint, lamEndpoint string
	)
	fs.StringVar(&req.UserPoolID, "user-pool-id", "", "")
	fs.StringVar(&req.FunctionARN, "function", "", "")
	fs.StringVar(&triggers, "triggers", "", "")
	fs.BoolVar(&dryRun, "dry-run", false, "")
	fs.StringVar(&region, "region", "", "")
	fs.StringVar(&cogEndpoint, "cognito-endpoint", "", "")
	fs.StringVar(&lamEndpoint, "lambda-endpoint", "", "")
	if !detach {
		fs.StringVar(&req.KMSKeyID, "kms-key-id", "", "")
		fs.BoolVar(&req.Replace, "replace", false, "")
	}
	if code := backupParseFlags(fs, args, usage, stderr); code >= 0 {
		return code
	}
	req.Detach = detach
	var missing string
	switch {
	case req.UserPoolID == "":
		missing = "--user-pool-id"
	case req.FunctionARN == "" && !detach:
		missing = "--function"
	case triggers == "":
		missing = "--triggers"
	}
	if missing != "" {
		fmt.Fprintf(stderr, "%s: %s is required; run `%s -h`\n", name, missing, name)
		return exitBadArgs
	}
	choices, err := attach.ParseTriggers(triggers)
	if err != nil {
		fmt.Fprintf(stderr, "%s: --triggers: %v\n", name, err)
		return exitBadArgs
	}
	req.Choices = choices

	var opts []func(*awsconfig.LoadOptions) error
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "%s: load AWS configuration: %v\n", name, err)
		return exitFailed
	}
	cog := cip.NewFromConfig(cfg, func(o *cip.Options) {
		if cogEndpoint != "" {
			o.BaseEndpoint = aws.String(cogEndpoint)
		}
	})
	lam := lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if lamEndpoint != "" {
			o.BaseEndpoint = aws.String(lamEndpoint)
		}
	})
	plan, err := attach.Prepare(ctx, cog, req)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "user pool %s (%s)\n", req.UserPoolID, aws.ToString(plan.Pool.Name))
	if len(plan.Changes) == 0 {
		fmt.Fprintln(stdout, "  LambdaConfig: no change")
	}
	for _, c := range plan.Changes {
		fmt.Fprintf(stdout, "  %s\n", c)
	}
	fmt.Fprintf(stdout, "  %d other settings written back unchanged\n", plan.Kept)
	if !detach {
		fmt.Fprintf(stdout, "  lambda:InvokeFunction for cognito-idp.amazonaws.com on %s, source %s (statement %s)\n",
			req.FunctionARN, aws.ToString(plan.Pool.Arn), attach.StatementID(req.UserPoolID))
	}
	if dryRun {
		fmt.Fprintln(stdout, "dry run: nothing changed")
		return exitOK
	}
	if err := attach.Apply(ctx, cog, lam, req, plan); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFailed
	}
	fmt.Fprintln(stdout, "done")
	return exitOK
}
