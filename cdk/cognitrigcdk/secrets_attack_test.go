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
)

// captchaAuth is custom authentication with a captcha step, its secret
// left for the test to give.
func captchaAuth() *cognitrigcdk.CustomAuthFeature {
	return &cognitrigcdk.CustomAuthFeature{Sequence: []string{"password", "captcha"},
		Captcha: &cognitrigcdk.CaptchaSettings{VerifyURL: "https://www.google.com/recaptcha/api/siteverify"}}
}

// legacyMigration is migration from a legacy token endpoint, its secrets
// left for the test to give.
func legacyMigration() *cognitrigcdk.MigrationFeature {
	return &cognitrigcdk.MigrationFeature{TokenURL: "https://legacy.example.com/token",
		UserInfoURL: "https://legacy.example.com/userinfo", ClientID: "cognito-migration"}
}

// TestSharedSecretRefused: the function refuses to start when the CAPTCHA
// secret or the legacy client secret, which it sends to another service,
// is the same secret as another secret variable it reads
// (config.WithSecrets): synth refuses it, naming both settings, for each
// function that would read both (Attach's customauth and migration
// functions; New's single function, which reads all four), and lets it
// pass where two functions read them.
func TestSharedSecretRefused(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:shared-AbCdEf"
	byName := func(stack awscdk.Stack, id string) awssecretsmanager.ISecret {
		return awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String(id), jsii.String("shared"))
	}
	byARN := func(stack awscdk.Stack, id string) awssecretsmanager.ISecret {
		return awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String(id), jsii.String(arn))
	}
	for _, c := range []struct {
		name string
		f    cognitrigcdk.Features
		give func(awscdk.Stack, *cognitrigcdk.Features)
		want string
	}{
		{"CAPTCHA secret is the master key", cognitrigcdk.Features{CustomAuth: captchaAuth()},
			func(stack awscdk.Stack, f *cognitrigcdk.Features) {
				s := byName(stack, "Shared")
				f.CustomAuth.Captcha.Secret, f.CustomAuth.MasterKeySecret = s, s
			}, "Features.CustomAuth.Captcha.Secret (COGNITRIG_CAPTCHA_SECRET) is the same secret as Features.CustomAuth.MasterKeySecret (COGNITRIG_MASTER_KEY)"},
		{"legacy client secret is the name key, imported twice", cognitrigcdk.Features{Migration: legacyMigration()},
			func(stack awscdk.Stack, f *cognitrigcdk.Features) {
				f.Migration.ClientSecret, f.Migration.NameKeySecret = byARN(stack, "A"), byARN(stack, "B")
			}, "Features.Migration.ClientSecret (COGNITRIG_LEGACY_CLIENT_SECRET) is the same secret as Features.Migration.NameKeySecret (COGNITRIG_LEGACY_NAME_KEY)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := attachTo(t, cognitrigcdk.AttachProps{Features: c.f}, func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				c.give(stack, &a.Features)
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want %q", err, c.want)
			}
		})
	}
	t.Run("two functions may share", func(t *testing.T) {
		// customauth reads the CAPTCHA secret, migration the name key: no
		// function reads both.
		_, err := attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: captchaAuth(), Migration: legacyMigration()}},
			func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				s := byName(stack, "Shared")
				a.Features.CustomAuth.Captcha.Secret, a.Features.Migration.NameKeySecret = s, s
			})
		if err != nil {
			t.Errorf("Attach: %v", err)
		}
	})
	for _, shape := range []cognitrigcdk.Shape{cognitrigcdk.SingleFunction, cognitrigcdk.FunctionPerConcern} {
		t.Run("New "+shape.String(), func(t *testing.T) {
			stack := newStack()
			s := byName(stack, "Shared")
			_, err := cognitrigcdk.New(stack, "Cognitrig", cognitrigcdk.Props{Code: dummyCode(t), Shape: shape,
				Migration: &cognitrigcdk.MigrationProps{},
				Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password,captcha",
					"COGNITRIG_CAPTCHA_VERIFY_URL": "https://www.google.com/recaptcha/api/siteverify"},
				Secrets: map[string]awssecretsmanager.ISecret{"COGNITRIG_CAPTCHA_SECRET": s, "COGNITRIG_LEGACY_CLIENT_SECRET": s}})
			want := `Secrets["COGNITRIG_CAPTCHA_SECRET"] (COGNITRIG_CAPTCHA_SECRET) is the same secret as Secrets["COGNITRIG_LEGACY_CLIENT_SECRET"] (COGNITRIG_LEGACY_CLIENT_SECRET)`
			if shape == cognitrigcdk.SingleFunction && (err == nil || !strings.Contains(err.Error(), want)) {
				t.Errorf("err %v, want %q", err, want)
			}
			if shape == cognitrigcdk.FunctionPerConcern && err != nil {
				t.Errorf("New: %v (customauth and migration are two functions)", err)
			}
		})
	}
}

// TestPlainTextJoinedRefused: a Secret of the app whose value is plain
// text joined with a token (CloudFormation's Fn::Join) writes that text
// into the template as surely as plain text alone: synth refuses it. A
// dynamic reference built from a token passes.
func TestPlainTextJoinedRefused(t *testing.T) {
	for _, c := range []struct {
		name  string
		value func(awscdk.Stack) awscdk.SecretValue
		want  bool // refused
	}{
		{"text and the account", func(awscdk.Stack) awscdk.SecretValue {
			return awscdk.SecretValue_UnsafePlainText(jsii.String("s3cr3t-value-" + *awscdk.Aws_ACCOUNT_ID()))
		}, true},
		{"text in Fn::Sub", func(awscdk.Stack) awscdk.SecretValue {
			return awscdk.SecretValue_UnsafePlainText(awscdk.Fn_Sub(jsii.String("s3cr3t-value-${AWS::Region}"), nil))
		}, true},
		{"two tokens and a separator", func(awscdk.Stack) awscdk.SecretValue {
			return awscdk.SecretValue_UnsafePlainText(awscdk.Fn_Join(jsii.String("s3cr3t-value"), &[]*string{awscdk.Aws_ACCOUNT_ID(), awscdk.Aws_REGION()}))
		}, true},
		{"a dynamic reference to a secret of the stack", func(stack awscdk.Stack) awscdk.SecretValue {
			other := awssecretsmanager.NewSecret(stack, jsii.String("Other"), nil)
			return awscdk.SecretValue_SecretsManager(other.SecretArn(), nil)
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: legacyMigration()}},
				func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
					a.Features.Migration.ClientSecret = awssecretsmanager.NewSecret(stack, jsii.String("Client"), &awssecretsmanager.SecretProps{
						SecretStringValue: c.value(stack),
					})
				})
			const want = "Features.Migration.ClientSecret (COGNITRIG_LEGACY_CLIENT_SECRET): the secret's value is written into the template in plain text"
			if refused := err != nil && strings.Contains(err.Error(), want); refused != c.want {
				t.Errorf("err %v, want refused %v", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

// TestSecretInAnotherRegionRefused: the functions read a secret from
// Secrets Manager in their own region (a secret is regional: "Replicate
// AWS Secrets Manager secrets across Regions"), so a secret imported by a
// complete ARN of another region cannot be read: synth refuses it, naming
// the setting and the replica to import.
func TestSecretInAnotherRegionRefused(t *testing.T) {
	_, err := attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: legacyMigration()}},
		func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
			a.Features.Migration.ClientSecret = awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String("Client"),
				jsii.String("arn:aws:secretsmanager:us-east-1:111122223333:secret:legacy-client-AbCdEf"))
		})
	const want = "Features.Migration.ClientSecret (COGNITRIG_LEGACY_CLIENT_SECRET): the secret is in us-east-1 and the functions in eu-west-1"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err %v, want %q", err, want)
	}
}

// TestNewPerConcernSecretsOnlyWhereRead: in the function-per-concern shape
// of New, each secret reaches only the function that reads it: the master
// key and the CAPTCHA secret the customauth function, the legacy client
// secret and the name key the migration function; the other functions get
// no secret variable and no secretsmanager or kms:Decrypt statement.
func TestNewPerConcernSecretsOnlyWhereRead(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{Shape: cognitrigcdk.FunctionPerConcern, Migration: &cognitrigcdk.MigrationProps{},
		CustomSenders: &cognitrigcdk.CustomSendersProps{}, WelcomeEmail: true, EmailFrom: "Example <no-reply@example.com>"},
		func(stack awscdk.Stack, p *cognitrigcdk.Props) {
			p.Secrets = map[string]awssecretsmanager.ISecret{
				"COGNITRIG_CAPTCHA_SECRET":       awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Captcha"), jsii.String("captcha")),
				"COGNITRIG_LEGACY_CLIENT_SECRET": awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Client"), jsii.String("client")),
			}
		})
	checkSecretsRead(t, s)
	want := map[string][]string{
		"customauth": {"COGNITRIG_CAPTCHA_SECRET_ARN", "COGNITRIG_MASTER_KEY_SECRET_ARN"},
		"migration":  {"COGNITRIG_LEGACY_CLIENT_SECRET_ARN", "COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN"},
	}
	for h, fn := range s.c.Functions {
		id := s.logicalID(fn)
		var got []string
		for name := range envOf(t, s.res[id]) {
			if strings.HasSuffix(name, "_ARN") && name != "COGNITRIG_KMS_KEY_ARN" {
				got = append(got, name)
			}
		}
		reads, _ := on(t, functionStatements(t, s, id), "secretsmanager:GetSecretValue")
		sort.Strings(got)
		if g, w := strings.Join(got, ","), strings.Join(want[h], ","); g != w {
			t.Errorf("%s has %s, want %s", h, g, w)
		}
		if len(reads) != len(want[h]) {
			b, _ := json.Marshal(reads)
			t.Errorf("%s may read %s, want exactly its %d secrets", h, b, len(want[h]))
		}
	}
}

// TestGeneratedSecretTheFunctionCannotUse: a Secret of the app that
// Secrets Manager generates must hold what the function reads: a value
// alone, not JSON (GenerateStringKey; config.WithSecrets refuses a
// key/value secret), and, for the master key and the name key, base64 of
// 32 or more bytes (config.MinKeyBytes): letters and digits only, 43 or
// more. Synth refuses the others, which would stop the function at
// start-up; the construct's own generator passes.
func TestGeneratedSecretTheFunctionCannotUse(t *testing.T) {
	for _, c := range []struct {
		name string
		gen  *awssecretsmanager.SecretStringGenerator
		want string // "" passes
	}{
		{"default generator", nil, "Features.CustomAuth.MasterKeySecret (COGNITRIG_MASTER_KEY): the generated value is not base64 of 32 or more bytes"},
		{"too short", &awssecretsmanager.SecretStringGenerator{PasswordLength: jsii.Number(32), ExcludePunctuation: jsii.Bool(true)},
			"Features.CustomAuth.MasterKeySecret (COGNITRIG_MASTER_KEY): the generated value is not base64 of 32 or more bytes"},
		{"length no base64 has", &awssecretsmanager.SecretStringGenerator{PasswordLength: jsii.Number(45), ExcludePunctuation: jsii.Bool(true)},
			"Features.CustomAuth.MasterKeySecret (COGNITRIG_MASTER_KEY): the generated value is not base64 of 32 or more bytes"},
		{"JSON", &awssecretsmanager.SecretStringGenerator{SecretStringTemplate: jsii.String(`{"user":"x"}`), GenerateStringKey: jsii.String("key"),
			PasswordLength: jsii.Number(64), ExcludePunctuation: jsii.Bool(true)},
			"Features.CustomAuth.MasterKeySecret (COGNITRIG_MASTER_KEY): the generated secret is JSON"},
		{"64 letters and digits", &awssecretsmanager.SecretStringGenerator{PasswordLength: jsii.Number(64), ExcludePunctuation: jsii.Bool(true)}, ""},
		{"43 letters and digits", &awssecretsmanager.SecretStringGenerator{PasswordLength: jsii.Number(43), ExcludePunctuation: jsii.Bool(true)}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := attachTo(t, cognitrigcdk.AttachProps{EmailFrom: from, Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{}}},
				func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
					a.Features.CustomAuth.MasterKeySecret = awssecretsmanager.NewSecret(stack, jsii.String("Master"), &awssecretsmanager.SecretProps{
						GenerateSecretString: c.gen,
					})
				})
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("err %v, want %q", err, c.want)
			}
		})
	}
	t.Run("JSON CAPTCHA secret", func(t *testing.T) {
		_, err := attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: captchaAuth()}},
			func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				a.Features.CustomAuth.Captcha.Secret = awssecretsmanager.NewSecret(stack, jsii.String("Captcha"), &awssecretsmanager.SecretProps{
					GenerateSecretString: &awssecretsmanager.SecretStringGenerator{SecretStringTemplate: jsii.String(`{}`), GenerateStringKey: jsii.String("secret")},
				})
			})
		const want = "Features.CustomAuth.Captcha.Secret (COGNITRIG_CAPTCHA_SECRET): the generated secret is JSON"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err %v, want %q", err, want)
		}
	})
}

// TestSecretNotOneSecretRefused: the read is granted on the secret's ARN,
// so an ARN or a name with IAM's wildcards (* and ?; no secret's name has
// them) would let the function read every secret it matches: synth
// refuses it. A KMS key given by an alias would get kms:Decrypt on the
// alias's ARN, which KMS never matches against a key (AWS KMS "Using
// aliases to control access to KMS keys"): synth refuses it too.
func TestSecretNotOneSecretRefused(t *testing.T) {
	for _, c := range []struct {
		name   string
		secret func(awscdk.Stack) awssecretsmanager.ISecret
		want   string
	}{
		{"name *", func(stack awscdk.Stack) awssecretsmanager.ISecret {
			return awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("S"), jsii.String("*"))
		}, "the secret's ARN or name has a wildcard"},
		{"partial ARN with a wildcard", func(stack awscdk.Stack) awssecretsmanager.ISecret {
			return awssecretsmanager.Secret_FromSecretPartialArn(stack, jsii.String("S"), jsii.String("arn:aws:secretsmanager:eu-west-1:111122223333:secret:legacy-*"))
		}, "the secret's ARN or name has a wildcard"},
		{"key by alias", func(stack awscdk.Stack) awssecretsmanager.ISecret {
			return awssecretsmanager.Secret_FromSecretAttributes(stack, jsii.String("S"), &awssecretsmanager.SecretAttributes{
				SecretCompleteArn: jsii.String("arn:aws:secretsmanager:eu-west-1:111122223333:secret:legacy-AbCdEf"),
				EncryptionKey:     awskms.Alias_FromAliasName(stack, jsii.String("K"), jsii.String("alias/legacy")),
			})
		}, "the secret's key is an alias"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: legacyMigration()}},
				func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
					a.Features.Migration.ClientSecret = c.secret(stack)
				})
			want := "Features.Migration.ClientSecret (COGNITRIG_LEGACY_CLIENT_SECRET): " + c.want
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err %v, want %q", err, want)
			}
		})
	}
}

// TestURLWithCredentialsRefused: a URL setting with user information
// (https://user:password@host/) would write that password into the
// template and the function's configuration, and the function refuses it
// at start-up (config's URL getter), as it refuses plain http to another
// host: synth refuses both, naming the setting and never the URL.
func TestURLWithCredentialsRefused(t *testing.T) {
	const withPassword = "https://migrator:s3cr3t@legacy.example.com/token"
	for _, c := range []struct {
		name string
		set  func(*cognitrigcdk.AttachProps)
		want string
	}{
		{"token URL with a password", func(a *cognitrigcdk.AttachProps) { a.Features.Migration.TokenURL = withPassword },
			"Features.Migration.TokenURL has user information"},
		{"lookup URL with a password", func(a *cognitrigcdk.AttachProps) {
			a.Features.Migration.LookupURL = "https://migrator:s3cr3t@legacy.example.com/users/{username}"
		}, "Features.Migration.LookupURL has user information"},
		{"CAPTCHA URL over http", func(a *cognitrigcdk.AttachProps) {
			a.Features.CustomAuth = captchaAuth()
			a.Features.CustomAuth.Captcha.VerifyURL = "http://captcha.example.com/siteverify"
		}, "Features.CustomAuth.Captcha.VerifyURL uses plain http"},
		{"magic-link page with a password", func(a *cognitrigcdk.AttachProps) {
			a.EmailFrom = from
			a.Features.CustomAuth = &cognitrigcdk.CustomAuthFeature{MagicLinkPages: map[string]string{"default": "https://u:s3cr3t@app.example.com/link"}}
		}, `Features.CustomAuth.MagicLinkPages["default"] has user information`},
		{"CAPTCHA URL not absolute", func(a *cognitrigcdk.AttachProps) {
			a.Features.CustomAuth = captchaAuth()
			a.Features.CustomAuth.Captcha.VerifyURL = "/siteverify"
		}, "Features.CustomAuth.Captcha.VerifyURL is not an absolute URL"},
		{"CAPTCHA URL over ftp", func(a *cognitrigcdk.AttachProps) {
			a.Features.CustomAuth = captchaAuth()
			a.Features.CustomAuth.Captcha.VerifyURL = "ftp://captcha.example.com/siteverify"
		}, "Features.CustomAuth.Captcha.VerifyURL is not an http(s) URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			props := cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: legacyMigration()}}
			_, err := attachTo(t, props, func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				if c.name != "token URL with a password" && c.name != "lookup URL with a password" {
					a.Features.Migration = nil
				}
				c.set(a)
				if a.Features.CustomAuth != nil && a.Features.CustomAuth.Captcha != nil {
					a.Features.CustomAuth.Captcha.Secret = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("C"), jsii.String("c"))
				}
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
	t.Run("New: magic-link pages in Environment", func(t *testing.T) {
		_, err := cognitrigcdk.New(newStack(), "Cognitrig", cognitrigcdk.Props{Code: dummyCode(t),
			Environment: map[string]string{"COGNITRIG_MAGICLINK_PAGES": "app=https://app.example.com/link,default=https://u:s3cr3t@app.example.com/link"}})
		const want = `Environment: COGNITRIG_MAGICLINK_PAGES["default"] has user information`
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("err %v, want %q without the password", err, want)
		}
	})
	t.Run("New: URL variable in Environment", func(t *testing.T) {
		_, err := cognitrigcdk.New(newStack(), "Cognitrig", cognitrigcdk.Props{Code: dummyCode(t), Migration: &cognitrigcdk.MigrationProps{},
			Environment: map[string]string{"COGNITRIG_LEGACY_TOKEN_URL": withPassword, "COGNITRIG_LEGACY_USERINFO_URL": "https://legacy.example.com/userinfo",
				"COGNITRIG_LEGACY_CLIENT_ID": "c"}})
		const want = "Environment: COGNITRIG_LEGACY_TOKEN_URL has user information"
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("err %v, want %q without the password", err, want)
		}
	})
}

// TestSecretImportedByNameReadByName: Secrets Manager takes a partial ARN
// whose name ends in a hyphen and six characters ("auth/recaptcha-secret",
// "legacy-client") for a complete ARN and finds no secret (AWS Secrets
// Manager API Reference, GetSecretValue, SecretId), so the function would
// stop at start-up. A secret imported by name, in the function's account
// and region, reaches the function by its name, which Secrets Manager
// matches exactly; the read is still granted on its partial ARN and the
// six characters. A partial ARN of another account, whose name Secrets
// Manager would misread, is refused.
func TestSecretImportedByNameReadByName(t *testing.T) {
	s, err := attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: captchaAuth(), Migration: legacyMigration()}},
		func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
			a.Features.CustomAuth.Captcha.Secret = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Captcha"), jsii.String("auth/recaptcha-secret"))
			a.Features.Migration.ClientSecret = awssecretsmanager.Secret_FromSecretPartialArn(stack, jsii.String("Client"),
				jsii.String("arn:aws:secretsmanager:eu-west-1:111122223333:secret:legacy-client"))
		})
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	for _, c := range []struct{ handler, variable, name, readable string }{
		{"customauth", "COGNITRIG_CAPTCHA_SECRET_ARN", "auth/recaptcha-secret", `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":secretsmanager:eu-west-1:111122223333:secret:auth/recaptcha-secret-??????"]]}`},
		{"migration", "COGNITRIG_LEGACY_CLIENT_SECRET_ARN", "legacy-client", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:legacy-client-??????"},
	} {
		fn := s.logicalID(s.a.Functions[c.handler])
		if got := fmtEnv(envOf(t, s.res[fn])[c.variable]); got != c.name {
			t.Errorf("%s %s = %s, want the secret's name %s", c.handler, c.variable, got, c.name)
		}
		reads, _ := on(t, functionStatements(t, s.synthesized, fn), "secretsmanager:GetSecretValue")
		if !slices.Contains(reads, c.readable) {
			t.Errorf("%s may read %v, want %s", c.handler, reads, c.readable)
		}
	}
	_, err = attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: legacyMigration()}},
		func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
			a.Features.Migration.ClientSecret = awssecretsmanager.Secret_FromSecretPartialArn(stack, jsii.String("Client"),
				jsii.String("arn:aws:secretsmanager:eu-west-1:444455556666:secret:legacy-client"))
		})
	const want = "Features.Migration.ClientSecret (COGNITRIG_LEGACY_CLIENT_SECRET): the secret's name ends in a hyphen and six characters"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("partial ARN of another account: err %v, want %q", err, want)
	}
}

// TestDynamicReferenceInEnvironmentRefused: a dynamic reference
// ({{resolve:secretsmanager:...}}, as SecretValue.UnsafeUnwrap gives) in a
// variable is resolved by CloudFormation into the function's
// configuration, where anyone allowed lambda:GetFunctionConfiguration
// reads the secret: synth refuses it in Environment and in every typed
// setting, naming the variable and never the reference.
func TestDynamicReferenceInEnvironmentRefused(t *testing.T) {
	unwrapped := func(stack awscdk.Stack) string {
		return *awscdk.SecretValue_SecretsManager(jsii.String("legacy/client-id"), nil).UnsafeUnwrap()
	}
	_, err := attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: legacyMigration()}},
		func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
			a.Features.Migration.ClientID = unwrapped(stack)
		})
	const want = "COGNITRIG_LEGACY_CLIENT_ID holds a dynamic reference"
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "resolve:") {
		t.Errorf("Attach: err %v, want %q without the reference", err, want)
	}
	stack := newStack()
	_, err = cognitrigcdk.New(stack, "Cognitrig", cognitrigcdk.Props{Code: dummyCode(t),
		Environment: map[string]string{"COGNITRIG_CAPTCHA_SITE_KEY": unwrapped(stack)}})
	const wantNew = "Environment: COGNITRIG_CAPTCHA_SITE_KEY holds a dynamic reference"
	if err == nil || !strings.Contains(err.Error(), wantNew) {
		t.Errorf("New: err %v, want %q", err, wantNew)
	}
}
