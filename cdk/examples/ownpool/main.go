// Command ownpool is an example CDK app with cognitrig two ways: the whole
// stack (cognitrigcdk.New: a user pool, its clients and every trigger), and
// attached to a user pool the app defines itself (cognitrigcdk.Attach: only
// the features chosen, here custom authentication, tenant claims for users
// and machine-to-machine clients, invitation sign-up, migration from a
// legacy OAuth service and sign-in audit).
//
//	go run ./examples/ownpool [-out DIR]
//
// writes DIR/CognitrigWhole.template.json and DIR/OwnPool.template.json
// (DIR defaults to $CDK_OUTDIR, or cdk.out at the repository root). The
// functions are built from ../handlers with the local Go toolchain.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ownpool:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	flags := flag.NewFlagSet("ownpool", flag.ContinueOnError)
	out := flags.String("out", "", "output directory (default $CDK_OUTDIR, or cdk.out at the repository root)")
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
	if _, _, err := build(app, cognitrigcdk.GoBuild(source)); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}

// build adds both stacks to app, their functions' code from code.
func build(app awscdk.App, code cognitrigcdk.CodeFunc) (*cognitrigcdk.Cognitrig, *cognitrigcdk.Attachment, error) {
	// 1. The whole stack: pool, clients, tables and every trigger.
	whole := awscdk.NewStack(app, jsii.String("CognitrigWhole"), nil)
	c, err := cognitrigcdk.New(whole, "Cognitrig", cognitrigcdk.Props{
		Shape:     cognitrigcdk.FunctionPerConcern,
		Code:      code,
		EmailFrom: "Example <no-reply@example.com>",
	})
	if err != nil {
		return nil, nil, fmt.Errorf("whole stack: %w", err)
	}

	// 2. A pool of the app's own, with the features it wants attached.
	own := awscdk.NewStack(app, jsii.String("OwnPool"), nil)
	pool := awscognito.NewUserPool(own, jsii.String("Pool"), &awscognito.UserPoolProps{
		SignInAliases: &awscognito.SignInAliases{Email: jsii.Bool(true)},
		// Pre token generation V2_0 and V3_0 need Essentials or Plus
		// (Amazon Cognito "Pre token generation Lambda trigger").
		FeaturePlan:   awscognito.FeaturePlan_ESSENTIALS,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	// The app's client serves the custom sequence only: managed login
	// (OAuth with the Cognito directory) would sign users in with the
	// password alone, and Attach refuses such a client. The migration
	// trigger receives passwords only through USER_PASSWORD_AUTH, so a
	// separate client has that flow, accepted in PasswordClients below.
	pool.AddClient(jsii.String("App"), &awscognito.UserPoolClientOptions{
		AuthFlows: &awscognito.AuthFlow{Custom: jsii.Bool(true)}, DisableOAuth: jsii.Bool(true), PreventUserExistenceErrors: jsii.Bool(true),
	})
	migrationClient := pool.AddClient(jsii.String("Migration"), &awscognito.UserPoolClientOptions{
		AuthFlows: &awscognito.AuthFlow{UserPassword: jsii.Bool(true)}, DisableOAuth: jsii.Bool(true), PreventUserExistenceErrors: jsii.Bool(true),
	})
	legacySecret := awssecretsmanager.Secret_FromSecretNameV2(own, jsii.String("LegacyClientSecret"), jsii.String("legacy/migration-client"))
	a, err := cognitrigcdk.Attach(own, "Cognitrig", cognitrigcdk.AttachProps{
		UserPool:  pool,
		Code:      code,
		EmailFrom: "Example <no-reply@example.com>",
		Features: cognitrigcdk.Features{
			CustomAuth: &cognitrigcdk.CustomAuthFeature{
				Sequence:        []string{"password", "email-otp"},
				PasswordClients: []awscognito.UserPoolClient{migrationClient},
			},
			Tenancy: &cognitrigcdk.TenancyFeature{
				ScopeMap:               map[string][]string{"admin": {"read", "write"}, "member": {"read"}},
				MachineToMachineClaims: true,
			},
			Invitations: &cognitrigcdk.InvitationsFeature{Required: true},
			Migration: &cognitrigcdk.MigrationFeature{
				TokenURL:     "https://legacy.example.com/oauth/token",
				UserInfoURL:  "https://legacy.example.com/oauth/userinfo",
				ClientID:     "cognito-migration",
				ClientSecret: legacySecret,
			},
			AuthEvents: &cognitrigcdk.AuthEventsFeature{MFAOnNewDevice: true},
		},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("own pool: %w", err)
	}
	awscdk.NewCfnOutput(own, jsii.String("UserPoolId"), &awscdk.CfnOutputProps{Value: pool.UserPoolId()})
	awscdk.NewCfnOutput(own, jsii.String("AlarmTopic"), &awscdk.CfnOutputProps{Value: a.AlarmTopic.TopicArn()})
	return c, a, nil
}
