package cognitrigcdk_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
	"github.com/cognitrig/cognitrig/config"
)

// secretVariables are the variables that hold a secret: no function's
// configuration may hold one (issue 13 §3; config.SecretVariables).
var secretVariables = []string{"COGNITRIG_MASTER_KEY", "COGNITRIG_CAPTCHA_SECRET", "COGNITRIG_LEGACY_CLIENT_SECRET", "COGNITRIG_LEGACY_NAME_KEY"}

// checkSecretsRead fails the test where a secret could reach the template
// or a function's configuration: a dynamic reference anywhere in the
// template (CloudFormation would resolve it into the function's
// configuration, readable with lambda:GetFunctionConfiguration), or a
// secret variable in a function's environment.
func checkSecretsRead(t *testing.T, s *synthesized) {
	t.Helper()
	raw, err := json.Marshal(s.template.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(string(raw), "{{resolve:"); i >= 0 {
		t.Errorf("the template holds a dynamic reference: %s", raw[i:min(len(raw), i+80)])
	}
	if len(s.ofType("AWS::Lambda::Function")) == 0 {
		t.Error("no functions: the check would pass vacuously")
	}
	for id, fn := range s.ofType("AWS::Lambda::Function") {
		for _, name := range secretVariables {
			if v, ok := envOf(t, fn)[name]; ok {
				t.Errorf("function %s has %s = %v: the secret is in its configuration", id, name, v)
			}
		}
	}
}

// functionStatements returns the statements of the IAM policies attached
// to the role of the function with logical ID fn.
func functionStatements(t *testing.T, s *synthesized, fn string) []statement {
	t.Helper()
	role := getAttArn(s.res[fn].Properties["Role"])
	var out []statement
	for id, r := range s.ofType("AWS::IAM::Policy") {
		roles, _ := r.Properties["Roles"].([]any)
		for _, x := range roles {
			if ref, _ := x.(map[string]any)["Ref"].(string); ref == role {
				out = append(out, statements(t, &synthesized{res: map[string]resource{id: r}})...)
			}
		}
	}
	return out
}

// on returns the resources of the statements that allow action (alone),
// sorted, and their conditions.
func on(t *testing.T, sts []statement, action string) (resources, conditions []string) {
	t.Helper()
	for _, st := range sts {
		if !slices.Contains(st.actions, action) {
			continue
		}
		if len(st.actions) != 1 {
			t.Errorf("statement %v: want %s alone", st.actions, action)
		}
		resources = append(resources, st.resources...)
		conditions = append(conditions, st.condition)
	}
	sort.Strings(resources)
	return resources, conditions
}

// TestSecretsReadAtStartUp (issue 13 §3): the CAPTCHA secret, the legacy
// client secret and the name key reach their function as the secret's ARN
// in COGNITRIG_..._ARN, never as a value or a dynamic reference, with
// secretsmanager:GetSecretValue on that secret only (a secret imported by
// name: its partial ARN and Secrets Manager's six characters) and
// kms:Decrypt on its key, through Secrets Manager, when it has a key of
// its own. The template holds no dynamic reference.
func TestSecretsReadAtStartUp(t *testing.T) {
	const keyARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	migration := func() *cognitrigcdk.MigrationFeature {
		return &cognitrigcdk.MigrationFeature{TokenURL: "https://legacy.example.com/token", UserInfoURL: "https://legacy.example.com/userinfo", ClientID: "c"}
	}
	for _, c := range []struct {
		name     string
		features cognitrigcdk.Features
		give     func(stack awscdk.Stack, f *cognitrigcdk.Features) awssecretsmanager.ISecret
		handler  string
		arnVar   string
		// readable is the resource of GetSecretValue on the secret.
		readable func(s *attached, secret awssecretsmanager.ISecret) string
		key      bool // kms:Decrypt on keyARN
	}{
		{
			name: "CAPTCHA secret imported by name",
			features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{Sequence: []string{"password", "captcha"},
				Captcha: &cognitrigcdk.CaptchaSettings{VerifyURL: "https://www.google.com/recaptcha/api/siteverify"}}},
			give: func(stack awscdk.Stack, f *cognitrigcdk.Features) awssecretsmanager.ISecret {
				f.CustomAuth.Captcha.Secret = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Captcha"), jsii.String("auth/captcha"))
				return f.CustomAuth.Captcha.Secret
			},
			handler: "customauth", arnVar: "COGNITRIG_CAPTCHA_SECRET_ARN",
			readable: func(s *attached, secret awssecretsmanager.ISecret) string {
				return s.resolved(jsii.String(*secret.SecretArn() + "-??????"))
			},
		},
		{
			name:     "legacy client secret of the stack, with a customer managed key",
			features: cognitrigcdk.Features{Migration: migration()},
			give: func(stack awscdk.Stack, f *cognitrigcdk.Features) awssecretsmanager.ISecret {
				f.Migration.ClientSecret = awssecretsmanager.NewSecret(stack, jsii.String("LegacyClient"), &awssecretsmanager.SecretProps{
					EncryptionKey: awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String(keyARN)),
				})
				return f.Migration.ClientSecret
			},
			handler: "migration", arnVar: "COGNITRIG_LEGACY_CLIENT_SECRET_ARN",
			readable: func(s *attached, secret awssecretsmanager.ISecret) string { return s.resolved(secret.SecretFullArn()) },
			key:      true,
		},
		{
			name:     "name key imported by its complete ARN",
			features: cognitrigcdk.Features{Migration: migration()},
			give: func(stack awscdk.Stack, f *cognitrigcdk.Features) awssecretsmanager.ISecret {
				f.Migration.NameKeySecret = awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String("NameKey"),
					jsii.String("arn:aws:secretsmanager:eu-west-1:111122223333:secret:legacy/name-key-AbCdEf"))
				return f.Migration.NameKeySecret
			},
			handler: "migration", arnVar: "COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN",
			readable: func(s *attached, secret awssecretsmanager.ISecret) string { return s.resolved(secret.SecretFullArn()) },
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			var secret awssecretsmanager.ISecret
			s, err := attachTo(t, cognitrigcdk.AttachProps{Features: c.features},
				func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
					secret = c.give(stack, &a.Features)
				})
			if err != nil {
				t.Fatalf("Attach: %v", err)
			}
			fn := s.logicalID(s.a.Functions[c.handler])
			env := envOf(t, s.res[fn])
			// A secret imported by name is read by its name (see
			// TestSecretImportedByNameReadByName), any other by its ARN.
			id := fmtEnv(s.stack.Resolve(secret.SecretArn()))
			if secret.SecretFullArn() == nil {
				id = *secret.SecretName()
			}
			if got := fmtEnv(env[c.arnVar]); got != id {
				t.Errorf("%s = %s, want the secret's ARN or name %s", c.arnVar, got, id)
			}
			checkSecretsRead(t, s.synthesized)

			// The function may read this secret and the one other secret
			// of its entry point (the master key, the generated name key),
			// nothing else.
			want := []string{c.readable(s, secret)}
			switch {
			case c.handler == "customauth":
				want = append(want, s.resolved(s.a.MasterKeySecret.SecretFullArn()))
			case c.arnVar != "COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN":
				want = append(want, s.resolved(s.a.NameKeySecret.SecretFullArn()))
			}
			sort.Strings(want)
			sts := functionStatements(t, s.synthesized, fn)
			if got, conds := on(t, sts, "secretsmanager:GetSecretValue"); !slices.Equal(got, want) || slices.ContainsFunc(conds, func(c string) bool { return c != "" }) {
				t.Errorf("secretsmanager:GetSecretValue on %v (conditions %v), want on %v", got, conds, want)
			}
			got, conds := on(t, sts, "kms:Decrypt")
			if c.key {
				via := `{"StringEquals":{"kms:ViaService":"secretsmanager.eu-west-1.amazonaws.com"}}`
				if !slices.Equal(got, []string{keyARN}) || !slices.Equal(conds, []string{via}) {
					t.Errorf("kms:Decrypt on %v with %v, want on the secret's key %s with %s", got, conds, keyARN, via)
				}
			} else if len(got) != 0 {
				t.Errorf("kms:Decrypt on %v, want none: the secret has no key of its own", got)
			}
		})
	}
}

// TestNewSecrets: the whole stack takes Secrets as Secrets Manager secrets
// by secret variable, in both shapes: the function that reads each gets
// its ARN and the read, and the template holds no secret and no dynamic
// reference.
func TestNewSecrets(t *testing.T) {
	for _, shape := range []cognitrigcdk.Shape{cognitrigcdk.SingleFunction, cognitrigcdk.FunctionPerConcern} {
		t.Run(shape.String(), func(t *testing.T) {
			var captcha, client awssecretsmanager.ISecret
			s := synth(t, cognitrigcdk.Props{Shape: shape, Migration: &cognitrigcdk.MigrationProps{}},
				func(stack awscdk.Stack, p *cognitrigcdk.Props) {
					captcha = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Captcha"), jsii.String("captcha"))
					client = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Client"), jsii.String("legacy-client"))
					p.Secrets = map[string]awssecretsmanager.ISecret{"COGNITRIG_CAPTCHA_SECRET": captcha, "COGNITRIG_LEGACY_CLIENT_SECRET": client}
				})
			checkSecretsRead(t, s)
			fnOf := map[string]string{"COGNITRIG_CAPTCHA_SECRET_ARN": "customauth", "COGNITRIG_LEGACY_CLIENT_SECRET_ARN": "migration"}
			secretOf := map[string]awssecretsmanager.ISecret{"COGNITRIG_CAPTCHA_SECRET_ARN": captcha, "COGNITRIG_LEGACY_CLIENT_SECRET_ARN": client}
			for name, h := range fnOf {
				if shape == cognitrigcdk.SingleFunction {
					h = "all"
				}
				fn := s.logicalID(s.c.Functions[h])
				if got, want := fmtEnv(envOf(t, s.res[fn])[name]), *secretOf[name].SecretName(); got != want { // imported by name: read by name
					t.Errorf("%s %s = %s, want %s", h, name, got, want)
				}
				readable, _ := on(t, functionStatements(t, s, fn), "secretsmanager:GetSecretValue")
				r, _ := json.Marshal(s.stack.Resolve(jsii.String(*secretOf[name].SecretArn() + "-??????")))
				if !slices.Contains(readable, string(r)) {
					t.Errorf("%s may read %v, not the secret of %s (%s)", h, readable, name, r)
				}
			}
		})
	}
}

// TestNewRefusesSecrets: Props.Secrets takes the secret variables the
// functions read from Secrets Manager, and no other name, nil, or a
// secret whose value the template holds; the error names the setting and
// never the value.
func TestNewRefusesSecrets(t *testing.T) {
	imported := func(stack awscdk.Stack) awssecretsmanager.ISecret {
		return awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("S"), jsii.String("s"))
	}
	for _, c := range []struct {
		name      string
		migration bool
		secrets   func(awscdk.Stack) map[string]awssecretsmanager.ISecret
		want      string
	}{
		{"master key", false, func(stack awscdk.Stack) map[string]awssecretsmanager.ISecret {
			return map[string]awssecretsmanager.ISecret{"COGNITRIG_MASTER_KEY": imported(stack)}
		}, "Secrets: COGNITRIG_MASTER_KEY is set from MasterKeySecret"},
		{"variable read as a value", false, func(stack awscdk.Stack) map[string]awssecretsmanager.ISecret {
			return map[string]awssecretsmanager.ISecret{"COGNITRIG_MAGICLINK_SECRET": imported(stack)}
		}, "Secrets: COGNITRIG_MAGICLINK_SECRET is not read from Secrets Manager"},
		{"the variable naming the secret", false, func(stack awscdk.Stack) map[string]awssecretsmanager.ISecret {
			return map[string]awssecretsmanager.ISecret{"COGNITRIG_CAPTCHA_SECRET_ARN": imported(stack)}
		}, "Secrets: key the secret by COGNITRIG_CAPTCHA_SECRET, the variable it holds; the construct sets COGNITRIG_CAPTCHA_SECRET_ARN"},
		{"no secret", false, func(awscdk.Stack) map[string]awssecretsmanager.ISecret {
			return map[string]awssecretsmanager.ISecret{"COGNITRIG_CAPTCHA_SECRET": nil}
		}, "Secrets: COGNITRIG_CAPTCHA_SECRET has no secret"},
		{"legacy secret without migration", false, func(stack awscdk.Stack) map[string]awssecretsmanager.ISecret {
			return map[string]awssecretsmanager.ISecret{"COGNITRIG_LEGACY_CLIENT_SECRET": imported(stack)}
		}, "Secrets: COGNITRIG_LEGACY_CLIENT_SECRET is read by the migration function: set Migration"},
		{"plain text in the template", true, func(stack awscdk.Stack) map[string]awssecretsmanager.ISecret {
			return map[string]awssecretsmanager.ISecret{"COGNITRIG_LEGACY_CLIENT_SECRET": awssecretsmanager.NewSecret(stack, jsii.String("Plain"), &awssecretsmanager.SecretProps{
				SecretStringValue: awscdk.SecretValue_UnsafePlainText(jsii.String("s3cr3t-value")),
			})}
		}, `Secrets["COGNITRIG_LEGACY_CLIENT_SECRET"] (COGNITRIG_LEGACY_CLIENT_SECRET): the secret's value is written into the template in plain text`},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := newStack()
			p := cognitrigcdk.Props{Code: dummyCode(t), Secrets: c.secrets(stack)}
			if c.migration {
				p.Migration = &cognitrigcdk.MigrationProps{}
			}
			before := len(*stack.Node().Children())
			_, err := cognitrigcdk.New(stack, "Cognitrig", p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), "s3cr3t-value") {
				t.Errorf("error %q shows the secret", err)
			}
			if n := len(*stack.Node().Children()); n != before {
				t.Errorf("the stack has %d children after a refusal, want the %d it had", n, before)
			}
		})
	}
	t.Run("plain-text master key", func(t *testing.T) {
		stack := newStack()
		_, err := cognitrigcdk.New(stack, "Cognitrig", cognitrigcdk.Props{Code: dummyCode(t),
			MasterKeySecret: awssecretsmanager.NewSecret(stack, jsii.String("Plain"), &awssecretsmanager.SecretProps{
				SecretStringValue: awscdk.SecretValue_UnsafePlainText(jsii.String("s3cr3t-value")),
			})})
		if want := "MasterKeySecret (COGNITRIG_MASTER_KEY): the secret's value is written into the template in plain text"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err %v, want %q", err, want)
		}
	})
	t.Run("a value CloudFormation resolves passes", func(t *testing.T) {
		// A NoEcho parameter: the template holds a reference, not the value.
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		stack := awscdk.NewStack(app, jsii.String("S"), nil)
		param := awscdk.NewCfnParameter(stack, jsii.String("Key"), &awscdk.CfnParameterProps{NoEcho: jsii.Bool(true)})
		secret := awssecretsmanager.NewSecret(stack, jsii.String("FromParameter"), &awssecretsmanager.SecretProps{
			SecretStringValue: awscdk.SecretValue_CfnParameter(param),
		})
		if _, err := cognitrigcdk.New(stack, "Cognitrig", cognitrigcdk.Props{Code: dummyCode(t), MasterKeySecret: secret}); err != nil {
			t.Errorf("New: %v", err)
		}
	})
}

// TestEverySecretVariableHasItsSetting: each secret variable the functions
// read from Secrets Manager (config.SecretVariables) is refused in a plain
// Environment, pointing to a typed setting of each API.
func TestEverySecretVariableHasItsSetting(t *testing.T) {
	for _, v := range config.SecretVariables() {
		for _, name := range []string{v.Name, v.ARNVariable} {
			_, errAttach := attachTo(t, cognitrigcdk.AttachProps{Environment: map[string]string{name: "x"}}, nil)
			_, errNew := cognitrigcdk.New(newStack(), "C", cognitrigcdk.Props{Code: dummyCode(t), Environment: map[string]string{name: "x"}})
			for api, err := range map[string]error{"Attach": errAttach, "New": errNew} {
				if err == nil || !strings.Contains(err.Error(), name+" is ") || strings.Contains(err.Error(), "no setting for it") {
					t.Errorf("%s with %s in Environment: err %v, want a refusal naming its typed setting", api, name, err)
				}
			}
		}
	}
}
