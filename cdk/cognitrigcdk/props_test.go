package cognitrigcdk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

func newStack() awscdk.Stack {
	app := awscdk.NewApp(nil)
	return awscdk.NewStack(app, jsii.String("Test"), nil)
}

func TestNewRefusesBadProps(t *testing.T) {
	code := dummyCode(t)
	for _, c := range []struct {
		name  string
		props cognitrigcdk.Props
		want  []string // in the error
	}{
		{"lite plan", cognitrigcdk.Props{UserPool: cognitrigcdk.UserPoolProps{FeaturePlan: awscognito.FeaturePlan_LITE}},
			[]string{"LITE", "ESSENTIALS or PLUS"}},
		{"threat protection without plus", cognitrigcdk.Props{UserPool: cognitrigcdk.UserPoolProps{ThreatProtection: awscognito.StandardThreatProtectionMode_FULL_FUNCTION}},
			[]string{"ThreatProtection needs FeaturePlan PLUS"}},
		{"custom threat protection without plus", cognitrigcdk.Props{UserPool: cognitrigcdk.UserPoolProps{CustomThreatProtection: awscognito.CustomThreatProtectionMode_FULL_FUNCTION}},
			[]string{"CustomThreatProtection needs FeaturePlan PLUS"}},
		{"choice-based sign-in skips the sequence", cognitrigcdk.Props{UserPool: cognitrigcdk.UserPoolProps{ChoiceSignIn: &cognitrigcdk.ChoiceSignInProps{EmailOTP: true}},
			Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password,email-otp"}},
			[]string{`flow ALLOW_USER_AUTH signs users in without the custom authentication sequence "password,email-otp"`}},
		{"unknown shape", cognitrigcdk.Props{Shape: 7}, []string{"Shape 7"}},
		{"bad domain prefix", cognitrigcdk.Props{UserPool: cognitrigcdk.UserPoolProps{DomainPrefix: "-Bad_"}}, []string{"DomainPrefix"}},
		{"access token too long", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{AccessTokenValidity: 25 * time.Hour}},
			[]string{"AccessTokenValidity 25h0m0s", "5m0s to 24h0m0s"}},
		{"id token too short", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{IDTokenValidity: time.Minute}}, []string{"IDTokenValidity"}},
		{"refresh shorter than access", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{AccessTokenValidity: 12 * time.Hour, RefreshTokenValidity: 2 * time.Hour}},
			[]string{"RefreshTokenValidity 2h0m0s is shorter"}},
		{"session out of range", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{AuthSessionValidity: 20 * time.Minute}}, []string{"AuthSessionValidity"}},
		{"seconds in a validity", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{AccessTokenValidity: 10*time.Minute + time.Second}}, []string{"whole minutes"}},
		{"implicit http callback", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{CallbackURLs: []string{"http://app.example.com/cb"}}}, []string{"use https"}},
		{"callback with fragment", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{CallbackURLs: []string{"https://app.example.com/cb#x"}}}, []string{"fragment"}},
		{"relative logout URL", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{LogoutURLs: []string{"/logout"}}}, []string{"absolute URL"}},
		{"timeout at Cognito's limit", cognitrigcdk.Props{Functions: cognitrigcdk.FunctionProps{Timeout: 5 * time.Second}}, []string{"Timeout 5s", "under Cognito's 5 second limit"}},
		{"fractional timeout", cognitrigcdk.Props{Functions: cognitrigcdk.FunctionProps{Timeout: 1500 * time.Millisecond}}, []string{"whole seconds"}},
		{"memory", cognitrigcdk.Props{Functions: cognitrigcdk.FunctionProps{MemoryMB: 64}}, []string{"MemoryMB 64"}},
		{"log level", cognitrigcdk.Props{Functions: cognitrigcdk.FunctionProps{LogLevel: "trace"}}, []string{`LogLevel "trace"`}},
		{"duration alarm above timeout", cognitrigcdk.Props{Alarms: cognitrigcdk.AlarmProps{Duration: 5 * time.Second}}, []string{"Alarms.Duration"}},
		{"negative errors threshold", cognitrigcdk.Props{Alarms: cognitrigcdk.AlarmProps{Errors: -1}}, []string{"must not be negative"}},
		{"alarm period in seconds", cognitrigcdk.Props{Alarms: cognitrigcdk.AlarmProps{Period: 90 * time.Second}}, []string{"Alarms.Period"}},
		{"bad sender", cognitrigcdk.Props{EmailFrom: "not an address"}, []string{"EmailFrom"}},
		{"custom senders without a sender", cognitrigcdk.Props{CustomSenders: &cognitrigcdk.CustomSendersProps{}}, []string{"CustomSenders needs EmailFrom"}},
		{"welcome without a sender", cognitrigcdk.Props{WelcomeEmail: true}, []string{"WelcomeEmail needs EmailFrom"}},
		{"magic-link key through Environment", cognitrigcdk.Props{Environment: map[string]string{"COGNITRIG_MAGICLINK_KMS_KEY": "alias/x"}}, []string{"MagicLinkKey"}},
		{"welcome through Environment", cognitrigcdk.Props{Environment: map[string]string{"COGNITRIG_WELCOME_EMAIL": "true"}}, []string{"WelcomeEmail"}},
		{"bucket ARN instead of name", cognitrigcdk.Props{IdentityPool: &cognitrigcdk.IdentityPoolProps{Bucket: "arn:aws:s3:::files"}}, []string{"IdentityPool.Bucket"}},
		{"managed variable", cognitrigcdk.Props{Environment: map[string]string{"COGNITRIG_TENANCY_TABLE": "mine"}}, []string{"COGNITRIG_TENANCY_TABLE is set from"}},
		{"master key as a secret", cognitrigcdk.Props{Secrets: map[string]awssecretsmanager.ISecret{"COGNITRIG_MASTER_KEY": nil}}, []string{"COGNITRIG_MASTER_KEY is set from MasterKeySecret"}},
		{"master key ARN through Environment", cognitrigcdk.Props{Environment: map[string]string{"COGNITRIG_MASTER_KEY_SECRET_ARN": "arn"}}, []string{"is set from MasterKeySecret"}},
		// Issue 12 item 3: a flow that skips the custom sequence fails at
		// synth, naming the client and the flow, unless opted out.
		{"SRP beside the default sequence", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{ExtraAuthFlows: []string{"USER_SRP_AUTH"}}},
			[]string{`Client (app client "Client"): flow ALLOW_USER_SRP_AUTH`, `sequence "email-otp"`, "AllowSequenceBypass"}},
		{"password flows beside password, captcha, question", cognitrigcdk.Props{
			Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password,captcha,security-question"},
			Client:      cognitrigcdk.ClientProps{ExtraAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "USER_AUTH", "ADMIN_USER_PASSWORD_AUTH"}}},
			[]string{"flow ALLOW_USER_PASSWORD_AUTH", "flow ALLOW_USER_AUTH", "flow ALLOW_ADMIN_USER_PASSWORD_AUTH", `"password,captcha,security-question"`}},
		// The function refuses a sequence it cannot parse, so synth does;
		// a step's letter case is no reason to refuse a flow.
		{"unknown step in the sequence", cognitrigcdk.Props{Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password,retina-scan"}},
			[]string{`Environment[COGNITRIG_AUTH_SEQUENCE] "password,retina-scan" is not an authentication sequence`}},
		// "password" alone has no challenge step: the function refuses it
		// (config.ParseSequence), so synth does too, rather than
		// deploying a pool whose sign-ins all fail.
		{"password alone", cognitrigcdk.Props{Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password"}, Client: cognitrigcdk.ClientProps{ExtraAuthFlows: []string{"USER_SRP_AUTH"}}},
			[]string{`Environment[COGNITRIG_AUTH_SEQUENCE] "password" is not an authentication sequence`}},
		{"managed login beside the sequence", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{ManagedLogin: true}},
			[]string{`Client (app client "Client"): flow managed login`}},
		{"unknown extra flow", cognitrigcdk.Props{Client: cognitrigcdk.ClientProps{ExtraAuthFlows: []string{"CUSTOM_AUTH_PLEASE"}, AllowSequenceBypass: true}},
			[]string{`"CUSTOM_AUTH_PLEASE" is not`}},
		{"reserved variable", cognitrigcdk.Props{Environment: map[string]string{"AWS_REGION": "x"}}, []string{"reserved by Lambda"}},
		{"invalid variable name", cognitrigcdk.Props{Environment: map[string]string{"1X": "x"}}, []string{`"1X" is not a valid variable name`}},
		{"plain variable as a secret", cognitrigcdk.Props{Environment: map[string]string{"X": "x"}, Secrets: map[string]awssecretsmanager.ISecret{"X": nil}},
			[]string{"Secrets: X is not read from Secrets Manager", "other variables in Environment"}},
		{"every problem at once", cognitrigcdk.Props{Functions: cognitrigcdk.FunctionProps{MemoryMB: 1, LogLevel: "loud"}, EmailFrom: "@"},
			[]string{"MemoryMB", "LogLevel", "EmailFrom"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := newStack()
			if c.props.Code == nil {
				c.props.Code = code
			}
			got, err := cognitrigcdk.New(stack, "Cognitrig", c.props)
			if err == nil {
				t.Fatal("New accepted the props")
			}
			if got != nil {
				t.Error("New returned a construct with its error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := len(*stack.Node().Children()); n != 0 {
				t.Errorf("the stack has %d children after a refusal, want nothing added", n)
			}
		})
	}
}

func TestShapeString(t *testing.T) {
	for s, want := range map[cognitrigcdk.Shape]string{
		cognitrigcdk.SingleFunction: "single", cognitrigcdk.FunctionPerConcern: "per-concern", 9: "Shape(9)",
	} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(s), got, want)
		}
	}
}
