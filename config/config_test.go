package config_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/triggers"
)

// TestLinksNothingExtra: a team's main that imports this package links
// nothing that package triggers does not link already: no AWS SDK package
// and no feature package.
func TestLinksNothingExtra(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	allowed := map[string]bool{"github.com/cognitrig/cognitrig/config": true}
	for _, p := range deps("github.com/cognitrig/cognitrig/triggers") {
		allowed[p] = true
	}
	for _, p := range deps("github.com/cognitrig/cognitrig/config") {
		first, _, _ := strings.Cut(p, "/")
		if strings.Contains(first, ".") && !allowed[p] {
			t.Errorf("config links %s, which package triggers does not", p)
		}
	}
}

// Every problem is named at once, one line each, each starting with its
// variable, and no secret's value appears, whatever was mistyped.
func TestLoadReportsEveryProblemWithoutSecrets(t *testing.T) {
	const secret = "pw-SECRET-value"
	lookup := config.Map(map[string]string{
		config.EnvMasterKey:          secret,
		config.EnvAuthSequence:       "password,captcha,magic-link",
		config.EnvCaptchaVerifyURL:   "https://u:" + secret + "@captcha.example",
		config.EnvCaptchaSecret:      secret,
		config.EnvCaptchaMinScore:    "2",
		config.EnvMagicLinkURL:       "http://app.example/" + secret,
		config.EnvAuthMaxFailures:    "0",
		config.EnvLegacyNameKey:      secret,
		config.EnvLegacyClientSecret: secret,
		config.EnvLegacyTokenURL:     "https://idp.example/token",
	})
	for name, load := range map[string]func() error{
		"customauth": func() error { _, err := config.LoadCustomAuth(lookup); return err },
		"migration":  func() error { _, err := config.LoadMigration(lookup); return err },
	} {
		err := load()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: a secret is quoted: %v", name, err)
		}
		var j interface{ Unwrap() []error }
		if !errors.As(err, &j) || len(j.Unwrap()) < 3 {
			t.Errorf("%s: want every problem, one error each: %v", name, err)
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "COGNITRIG_") {
				t.Errorf("%s: %q does not start with its variable", name, line)
			}
		}
	}
	c, _ := config.LoadCustomAuth(lookup)
	if got := c.Captcha.Secret; got != triggers.Secret(secret) {
		t.Errorf("the captcha secret is %q, want the value as a triggers.Secret", got.Reveal())
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.LoadCustomAuth(config.Map(map[string]string{
		config.EnvChallengesTable: "challenges", config.EnvEmailFrom: "no-reply@example.com",
		config.EnvMasterKey: "bWFzdGVyLWtleS1TRUNSRVQtMDEyMzQ1Njc4OWFiY2RlZg==",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sequence.Password || len(c.Sequence.Steps) != 1 || c.Sequence.Steps[0] != config.StepEmailOTP ||
		c.Limits != (config.Limits{}) {
		t.Errorf("%+v", c)
	}
	if k := config.DeriveKey(c.MasterKey, "otp"); len(k) != 32 || string(k) == string(config.DeriveKey(c.MasterKey, "magiclink")) {
		t.Error("the derived keys are not 32 bytes, one per purpose")
	}
	if config.DeriveKey("", "otp") != nil {
		t.Error("a key derived from no master key")
	}
	if config.MigrationConfigured(config.Map(map[string]string{config.EnvLogLevel: "debug"})) ||
		!config.MigrationConfigured(config.Map(map[string]string{config.EnvLegacyScope: "openid"})) {
		t.Error("MigrationConfigured")
	}
}
