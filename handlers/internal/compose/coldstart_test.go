package compose_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
// is compared with. The concerns are read from each handlers/NAME/main.go.
// The _nosenders builds are checked through the untagged build, which
// with no KMS key (the script sets none for them) makes the same clients.
func TestColdStartMakeLists(t *testing.T) {
	// The SDK's service IDs, by the script's names.
	names := map[string]string{"DynamoDB": "dynamodb", "SESv2": "sesv2", "SNS": "sns", "KMS": "kms",
		"Cognito Identity Provider": "cip", "Secrets Manager": "secretsmanager"}
	for _, fn := range strings.Fields(strings.Join(script(t, "--list"), " ")) {
		t.Run(fn, func(t *testing.T) {
			concerns := concernsOf(t, strings.TrimSuffix(fn, "-nosenders"))
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

// concernsOf returns the concerns handlers/name/main.go passes to
// compose.Main, so that the test follows the functions as they are built.
func concernsOf(t *testing.T, name string) []compose.Concern {
	t.Helper()
	known := map[string]compose.Concern{
		"customauth.CustomAuth": customauth.CustomAuth, "tenancy.Tenancy": tenancy.Tenancy,
		"migration.Migration": migration.Migration, "migration.MigrationIfConfigured": migration.MigrationIfConfigured,
		"messages.Messages": messages.Messages, "authevents.AuthEvents": authevents.AuthEvents,
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "..", name, "main.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var concerns []compose.Concern
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || types.ExprString(call.Fun) != "compose.Main" {
			return true
		}
		for _, arg := range call.Args[1:] {
			c, ok := known[types.ExprString(arg)]
			if !ok {
				t.Fatalf("handlers/%s/main.go passes %s, which this test does not know", name, types.ExprString(arg))
			}
			concerns = append(concerns, c)
		}
		return false
	})
	if len(concerns) == 0 {
		t.Fatalf("handlers/%s/main.go calls compose.Main with no concern", name)
	}
	return concerns
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
