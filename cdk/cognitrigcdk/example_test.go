package cognitrigcdk_test

import (
	"log"

	"github.com/aws/aws-cdk-go/awscdk/v2"
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
