package compose_test

import (
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/authevents"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/customauth"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/messages"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/migration"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/tenancy"
)

// TestColdStartMakeLists: the baselines of scripts/coldstart.sh make at
// start the clients each function makes in the script's environment
// (--print-make against what Build makes with --print-env), so that a
// baseline does no more and no less start-up work than the function it
// is compared with. The concerns are those of each handlers/NAME/main.go.
// The _nosenders builds are checked through the untagged build, which
// with no KMS key (the script sets none for them) makes the same clients.
func TestColdStartMakeLists(t *testing.T) {
	all := []compose.Concern{customauth.CustomAuth, tenancy.Tenancy, migration.MigrationIfConfigured, messages.Messages, authevents.AuthEvents}
	functions := map[string][]compose.Concern{
		"customauth": {customauth.CustomAuth}, "tenancy": {tenancy.Tenancy}, "migration": {migration.Migration},
		"authevents": {authevents.AuthEvents}, "messages": {messages.Messages}, "messages-nosenders": {messages.Messages},
		"all": all, "all-nosenders": all,
	}
	// The SDK's service IDs, by the script's names.
	names := map[string]string{"DynamoDB": "dynamodb", "SESv2": "sesv2", "SNS": "sns", "KMS": "kms",
		"Cognito Identity Provider": "cip", "Secrets Manager": "secretsmanager"}
	list := strings.Fields(strings.Join(script(t, "--list"), " "))
	if len(list) != len(functions) {
		t.Fatalf("coldstart.sh --list: %v; this test knows %d functions", list, len(functions))
	}
	for _, fn := range list {
		t.Run(fn, func(t *testing.T) {
			concerns, ok := functions[fn]
			if !ok {
				t.Fatalf("coldstart.sh lists %s, which this test does not know", fn)
			}
			env := map[string]string{}
			for _, kv := range script(t, "--print-env", fn) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
			var made []string
			load := func() (aws.Config, error) {
				return aws.Config{Region: env["AWS_REGION"], ServiceOptions: []func(string, any){
					func(id string, _ any) {
						name, ok := names[id]
						if !ok {
							t.Errorf("a client of %q, which coldstart.sh cannot make", id)
						}
						made = append(made, name)
					},
				}}, nil
			}
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			if _, err := compose.BuildLazy(lookup, load, io.Discard, concerns...); err != nil {
				t.Fatalf("the function does not start in coldstart.sh's environment: %v", err)
			}
			// The custom senders' Encryption SDK keyring calls no AWS
			// service at start; it is made when the senders are on.
			if env["COGNITRIG_KMS_KEY_ARN"] != "" && slices.Contains(made, "kms") {
				made = append(made, "esdk")
			}
			want := strings.Fields(strings.Join(script(t, "--print-make", fn), " "))
			slices.Sort(made)
			slices.Sort(want)
			if !slices.Equal(made, want) {
				t.Errorf("the function makes %v at start; coldstart.sh's baselines make %v", made, want)
			}
		})
	}
}

// script runs scripts/coldstart.sh with args and returns its output lines.
func script(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("../../../scripts/coldstart.sh", args...)
	// Without the script's overrides, so that its defaults are checked.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == "BARE" || k == "BARE_MAKE" || k == "TAGS_A"
	})
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("coldstart.sh %v: %v", args, err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}
