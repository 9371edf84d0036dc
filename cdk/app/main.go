// Command app synthesizes the cognitrig stack: a user pool with every
// trigger wired to functions built from ../handlers with the local Go
// toolchain, the DynamoDB tables they use, their permissions and alarms.
//
//	go run ./app [-out DIR] [-stack NAME]
//
// writes DIR/NAME.template.json and the function assets. DIR defaults to
// $CDK_OUTDIR (set by the AWS CDK CLI) or else cdk.out at the repository
// root; NAME defaults to Cognitrig. The AWS CDK CLI runs it through
// cdk.json: see README.md.
//
// The deployment is chosen with context values (cdk -c KEY=VALUE, or the
// "context" of cdk.json):
//
//	cognitrig:shape              single (default) or per-concern
//	cognitrig:migration          true: wire the User Migration trigger
//	cognitrig:selfSignUp         true: anyone may sign up
//	cognitrig:emailFrom          SES sender of one-time codes
//	cognitrig:welcomeEmail       true: email each confirmed user once (needs emailFrom)
//	cognitrig:magicLinkKms       true: sign magic links with a KMS HMAC key
//	cognitrig:callbackUrls       comma-separated OAuth callback URLs
//	cognitrig:logoutUrls         comma-separated sign-out URLs
//	cognitrig:domainPrefix       Cognito domain prefix for managed login
//	cognitrig:identityPoolBucket S3 bucket: adds an identity pool
//
// The stack is environment-agnostic unless CDK_DEFAULT_ACCOUNT and
// CDK_DEFAULT_REGION are set (the CLI sets them from your credentials).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cognitrig cdk:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	flags := flag.NewFlagSet("app", flag.ContinueOnError)
	out := flags.String("out", "", "output directory (default $CDK_OUTDIR, or cdk.out at the repository root)")
	stackName := flags.String("stack", "Cognitrig", "stack name")
	if err := flags.Parse(args); err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	defer jsii.Close()
	app, source, err := cognitrigcdk.NewApp(wd, *out)
	if err != nil {
		return err
	}
	ctx := func(key string) string {
		v := app.Node().TryGetContext(jsii.String("cognitrig:" + key))
		if v == nil {
			return ""
		}
		return strings.TrimSpace(fmt.Sprint(v))
	}
	props, err := propsFromContext(ctx)
	if err != nil {
		return err
	}
	props.Source = source

	var env *awscdk.Environment
	if account, region := os.Getenv("CDK_DEFAULT_ACCOUNT"), os.Getenv("CDK_DEFAULT_REGION"); account != "" && region != "" {
		env = &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}
	}
	stack := awscdk.NewStack(app, jsii.String(*stackName), &awscdk.StackProps{
		Env:         env,
		Description: jsii.String("cognitrig: Cognito user pool with typed Lambda triggers"),
	})
	c, err := cognitrigcdk.New(stack, "Cognitrig", props)
	if err != nil {
		return err
	}
	output := func(id string, value *string, description string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
	}
	output("UserPoolId", c.UserPool.UserPoolId(), "user pool ID")
	output("ClientId", c.Client.UserPoolClientId(), "app client ID (custom authentication and refresh only)")
	if c.MigrationClient != nil {
		output("MigrationClientId", c.MigrationClient.UserPoolClientId(), "client that allows USER_PASSWORD_AUTH (and so skips the custom sequence) while users migrate")
	}
	if c.IdentityPool != nil {
		output("IdentityPoolId", c.IdentityPool.IdentityPoolId(), "identity pool ID")
	}
	output("TenancyTable", c.Tables.Tenancy.TableName(), "tenants, memberships, invitations")
	output("AlarmTopic", c.AlarmTopic.TopicArn(), "SNS topic every alarm notifies: subscribe the operators")
	if c.DeadLetterQueue != nil {
		output("DeadLetterQueue", c.DeadLetterQueue.QueueUrl(), "custom-sender events that failed after Lambda's retries")
	}

	assembly := app.Synth(nil)
	templates, _ := filepath.Glob(filepath.Join(*assembly.Directory(), "*.template.json"))
	for _, t := range templates {
		fmt.Println("wrote", t)
	}
	return nil
}

// propsFromContext reads the deployment options from the app's context.
func propsFromContext(ctx func(string) string) (cognitrigcdk.Props, error) {
	var p cognitrigcdk.Props
	switch shape := ctx("shape"); shape {
	case "", "single":
		p.Shape = cognitrigcdk.SingleFunction
	case "per-concern":
		p.Shape = cognitrigcdk.FunctionPerConcern
	default:
		return p, fmt.Errorf("context cognitrig:shape=%q: use single or per-concern", shape)
	}
	migration, err := boolContext("migration", ctx("migration"))
	if err != nil {
		return p, err
	}
	if migration {
		p.Migration = &cognitrigcdk.MigrationProps{}
	}
	if p.UserPool.SelfSignUp, err = boolContext("selfSignUp", ctx("selfSignUp")); err != nil {
		return p, err
	}
	p.EmailFrom = ctx("emailFrom")
	if p.WelcomeEmail, err = boolContext("welcomeEmail", ctx("welcomeEmail")); err != nil {
		return p, err
	}
	kmsLinks, err := boolContext("magicLinkKms", ctx("magicLinkKms"))
	if err != nil {
		return p, err
	}
	if kmsLinks {
		p.MagicLinkKey = &cognitrigcdk.MagicLinkKeyProps{}
	}
	p.Client.CallbackURLs = list(ctx("callbackUrls"))
	p.Client.LogoutURLs = list(ctx("logoutUrls"))
	p.UserPool.DomainPrefix = ctx("domainPrefix")
	if bucket := ctx("identityPoolBucket"); bucket != "" {
		p.IdentityPool = &cognitrigcdk.IdentityPoolProps{Bucket: bucket}
	}
	return p, nil
}

func boolContext(key, v string) (bool, error) {
	switch v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, fmt.Errorf("context cognitrig:%s=%q: use true or false", key, v)
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
