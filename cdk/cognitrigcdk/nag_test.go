package cognitrigcdk_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// nagResult is a stack synthesized with the AwsSolutions and Serverless
// cdk-nag packs applied.
type nagResult struct {
	// findings are the packs' unsuppressed errors and warnings, one line
	// each: level, path, rule and its text.
	findings []string
	// suppressed are the suppressions in the template: resource, rule,
	// appliesTo and reason.
	suppressed []string
	// stackWide are suppressions on the stack rather than a resource.
	stackWide []string
}

func nagCheck(t *testing.T, props cognitrigcdk.Props, extra ...func(awscdk.Stack, *cognitrigcdk.Props)) nagResult {
	t.Helper()
	return nagRun(t, func(stack awscdk.Stack) {
		if props.Code == nil {
			props.Code = dummyCode(t)
		}
		for _, f := range extra {
			f(stack, &props)
		}
		if _, err := cognitrigcdk.New(stack, "Cognitrig", props); err != nil {
			t.Fatalf("New: %v", err)
		}
	})
}

// nagRun runs the packs on a stack that build fills.
func nagRun(t *testing.T, build func(awscdk.Stack)) nagResult {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Nag"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})
	build(stack)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	// Synthesizing runs the packs, which annotate the constructs they flag.
	tmpl := assertions.Template_FromStack(stack, nil)
	var r nagResult
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, m := range *c.Node().Metadata() {
			level := map[string]string{"aws:cdk:error": "Error", "aws:cdk:warning": "Warning"}[*m.Type]
			data := fmt.Sprint(m.Data)
			// The construct's own warnings (cognitrig:...) are not the packs'.
			if level != "" && (strings.HasPrefix(data, "AwsSolutions-") || strings.HasPrefix(data, "Serverless-")) {
				r.findings = append(r.findings, fmt.Sprintf("%s /%s: %s", level, *c.Node().Path(), strings.TrimSpace(data)))
			}
		}
	}
	sort.Strings(r.findings)

	raw, err := json.Marshal(tmpl.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Metadata  map[string]any `json:"Metadata"`
		Resources map[string]struct {
			Type     string `json:"Type"`
			Metadata struct {
				CdkNag struct {
					Rules []struct {
						ID        string `json:"id"`
						Reason    string `json:"reason"`
						AppliesTo []any  `json:"applies_to"`
					} `json:"rules_to_suppress"`
				} `json:"cdk_nag"`
			} `json:"Metadata"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if v, ok := doc.Metadata["cdk_nag"]; ok {
		r.stackWide = append(r.stackWide, fmt.Sprint(v))
	}
	for id, res := range doc.Resources {
		for _, s := range res.Metadata.CdkNag.Rules {
			r.suppressed = append(r.suppressed, fmt.Sprintf("%s %s %s%v: %s", s.ID, res.Type, id, s.AppliesTo, s.Reason))
		}
	}
	sort.Strings(r.suppressed)
	return r
}

// everythingOn turns on every feature: identity pool, custom senders with
// SMS, migration with a legacy table, the magic-link key, the welcome
// email, federated linking and managed login.
func everythingOn(shape cognitrigcdk.Shape) (cognitrigcdk.Props, func(awscdk.Stack, *cognitrigcdk.Props)) {
	return cognitrigcdk.Props{
			Shape:         shape,
			EmailFrom:     "Example <no-reply@mail.example.com>",
			SMS:           true,
			WelcomeEmail:  true,
			MagicLinkKey:  &cognitrigcdk.MagicLinkKeyProps{},
			CustomSenders: &cognitrigcdk.CustomSendersProps{},
			IdentityPool:  &cognitrigcdk.IdentityPoolProps{Bucket: "user-files"},
			UserPool:      cognitrigcdk.UserPoolProps{DomainPrefix: "example-auth", SelfSignUp: true},
			Client: cognitrigcdk.ClientProps{ManagedLogin: true, AllowSequenceBypass: true,
				CallbackURLs: []string{"https://app.example.com/callback"}},
			Environment: map[string]string{
				"COGNITRIG_AUTH_SEQUENCE":        "password,email-otp",
				"COGNITRIG_LEGACY_TOKEN_URL":     "https://legacy.example.com/token",
				"COGNITRIG_FEDERATION_PROVIDERS": "Google",
			},
		}, func(stack awscdk.Stack, p *cognitrigcdk.Props) {
			p.Migration = &cognitrigcdk.MigrationProps{
				LegacyUsersTable: awsdynamodb.Table_FromTableName(stack, jsii.String("Legacy"), jsii.String("legacy-users")),
			}
			p.Secrets = map[string]awssecretsmanager.ISecret{
				"COGNITRIG_CAPTCHA_SECRET": awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Captcha"), jsii.String("captcha")),
			}
		}
}

// TestCdkNag: the AwsSolutions and Serverless packs find nothing left
// unsuppressed in the default stack and in stacks with every feature on,
// in both shapes, and every suppression sits on a resource with a reason.
func TestCdkNag(t *testing.T) {
	single, singleExtra := everythingOn(cognitrigcdk.SingleFunction)
	perConcern, perConcernExtra := everythingOn(cognitrigcdk.FunctionPerConcern)
	for _, c := range []struct {
		name  string
		props cognitrigcdk.Props
		extra func(awscdk.Stack, *cognitrigcdk.Props)
	}{
		{"default", cognitrigcdk.Props{}, nil},
		{"everything on, single function", single, singleExtra},
		{"everything on, per concern", perConcern, perConcernExtra},
		{"plus plan, tracing off", cognitrigcdk.Props{
			UserPool:  cognitrigcdk.UserPoolProps{FeaturePlan: "PLUS", ThreatProtection: "FULL_FUNCTION"},
			Functions: cognitrigcdk.FunctionProps{DisableTracing: true},
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			var extra []func(awscdk.Stack, *cognitrigcdk.Props)
			if c.extra != nil {
				extra = append(extra, c.extra)
			}
			nagCheck(t, c.props, extra...).report(t, func(string) bool { return true })
			t.Logf("synth with cdk-nag took %v", time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestCdkNagAttached: everything attached to a pool of the app's own adds
// no unsuppressed cdk-nag finding. The pool is the app's (its findings,
// such as its MFA and feature plan, are the app's to settle): only findings
// on what Attach added count.
func TestCdkNagAttached(t *testing.T) {
	r := nagRun(t, func(stack awscdk.Stack) {
		props := everythingAttached()
		everythingSecrets(stack, nil, &props)
		props.Code = dummyCode(t)
		props.UserPool = awscognito.NewUserPool(stack, jsii.String("Pool"), &awscognito.UserPoolProps{FeaturePlan: awscognito.FeaturePlan_ESSENTIALS})
		if _, err := cognitrigcdk.Attach(stack, "Cognitrig", props); err != nil {
			t.Fatalf("Attach: %v", err)
		}
	})
	r.report(t, func(f string) bool { return strings.Contains(f, " /Nag/Cognitrig/") })
}

// report fails the test for each unsuppressed finding that counts (others
// are logged), for each stack-wide suppression, and for no suppression at
// all, which would make the check of their reasons pass vacuously.
func (r nagResult) report(t *testing.T, counts func(finding string) bool) {
	t.Helper()
	for _, f := range r.findings {
		if counts(f) {
			t.Errorf("unsuppressed cdk-nag finding: %s", f)
		} else {
			t.Logf("not ours: %s", f)
		}
	}
	for _, s := range r.stackWide {
		t.Errorf("stack-wide suppression %s: suppress at the resource", s)
	}
	if len(r.suppressed) == 0 {
		t.Error("no suppressions found: the check of their reasons would pass vacuously")
	}
	for _, s := range r.suppressed {
		t.Logf("suppressed: %s", s)
	}
}
