package cognitrigcdk_test

import (
	"log"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// A team adds cognitrig to a stack of its own: one function per concern,
// with the migration trigger, and SES for one-time codes. The functions
// are built from ./handlers of the Go module found above the working
// directory. (Compiled, not run: running it builds the handlers.)
func ExampleNew() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Auth"), nil)

	auth, err := cognitrigcdk.New(stack, "Cognitrig", cognitrigcdk.Props{
		Shape:     cognitrigcdk.FunctionPerConcern,
		EmailFrom: "Example <no-reply@example.com>",
		Migration: &cognitrigcdk.MigrationProps{},
		Client: cognitrigcdk.ClientProps{
			CallbackURLs: []string{"https://app.example.com/callback"},
			LogoutURLs:   []string{"https://app.example.com/"},
		},
		Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password,email-otp"},
	})
	if err != nil {
		log.Fatal(err)
	}
	awscdk.NewCfnOutput(stack, jsii.String("UserPoolId"), &awscdk.CfnOutputProps{Value: auth.UserPool.UserPoolId()})
	app.Synth(nil)
}

// A team attaches cognitrig to the user pool its app already defines,
// choosing the features: the custom-auth sequence, tenant claims (also in
// the access tokens of machine-to-machine clients) and the welcome email.
// Only their functions, tables, permissions and triggers are added. The
// CAPTCHA secret comes from Secrets Manager: the function gets its ARN and
// reads it when it starts; a plain value is refused.
// (Compiled, not run: running it builds the handlers.)
func ExampleAttach() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Auth"), nil)
	pool := awscognito.NewUserPool(stack, jsii.String("Pool"), &awscognito.UserPoolProps{
		SignInAliases: &awscognito.SignInAliases{Email: jsii.Bool(true)},
		FeaturePlan:   awscognito.FeaturePlan_ESSENTIALS,
	})

	auth, err := cognitrigcdk.Attach(stack, "Cognitrig", cognitrigcdk.AttachProps{
		UserPool:  pool,
		EmailFrom: "Example <no-reply@example.com>",
		Features: cognitrigcdk.Features{
			CustomAuth: &cognitrigcdk.CustomAuthFeature{
				Sequence: []string{"password", "captcha", "email-otp"},
				Captcha: &cognitrigcdk.CaptchaSettings{
					VerifyURL: "https://www.google.com/recaptcha/api/siteverify",
					Provider:  "recaptcha",
					Secret:    awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("CaptchaSecret"), jsii.String("auth/captcha")),
				},
			},
			Tenancy:      &cognitrigcdk.TenancyFeature{ScopeMap: map[string][]string{"admin": {"read", "write"}}, MachineToMachineClaims: true},
			WelcomeEmail: &cognitrigcdk.WelcomeEmailFeature{},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	awscdk.NewCfnOutput(stack, jsii.String("AlarmTopic"), &awscdk.CfnOutputProps{Value: auth.AlarmTopic.TopicArn()})
	app.Synth(nil)
}
