package compose_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// sdkService is the import path prefix of the AWS SDK's service clients.
const sdkService = "github.com/aws/aws-sdk-go-v2/service/"

// everyFunction are the services every function links: those of the SDK's
// default credential chain (config.LoadDefaultConfig), which a bare
// bootstrap links as well.
var everyFunction = []string{"signin", "sso", "ssooidc", "sts"}

// calls are the service clients each concern's own code calls (the
// clients.go of its package under handlers/internal/compose).
var calls = map[string][]string{
	// challenge records and budgets; codes and links by email and SMS;
	// the magic-link KMS signer (COGNITRIG_MAGICLINK_KMS_KEY); the master
	// key and CAPTCHA secret named in Secrets Manager (package secrets).
	"customauth": {"dynamodb", "sesv2", "sns", "kms", "secretsmanager"},
	// tenants, markers; invitations, linking, groups; the welcome email.
	"tenancy": {"dynamodb", "cognitoidentityprovider", "sesv2"},
	// tracking and the DynamoDB legacy source (the OAuth2 one is net/http);
	// the legacy client secret and name key named in Secrets Manager.
	"migration": {"dynamodb", "secretsmanager"},
	// the custom senders: decrypt, send, and look up an ATO warning's address.
	"messages": {"kms", "sesv2", "sns", "cognitoidentityprovider"},
	// the audit; MFA on a new device.
	"authevents": {"dynamodb", "cognitoidentityprovider"},
}

// libraryLinks are clients that a library package a concern uses links
// although the concern never calls them: each is named with the package to
// split if it is to go. A build tag that a function is built with maps to
// its own entry ("messages/cognitrig_nosenders").
var libraryLinks = map[string]map[string]string{
	"messages": {"dynamodb": "the AWS Encryption SDK's material providers (lifecycle/messages/esdk)"},
}

// TestEachFunctionLinksOnlyItsClients (issue 15): every entry point under
// handlers/ links exactly the AWS service clients its concerns call, plus
// everyFunction and the listed libraryLinks; a function that links another
// service's client pays for its package initialisation at every cold start.
func TestEachFunctionLinksOnlyItsClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list for each function")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go list needs the go command on PATH: %v", err)
	}
	functions := map[string][]string{"all": nil}
	for name := range calls {
		functions[name] = []string{name}
		functions["all"] = append(functions["all"], name)
	}
	for fn, concerns := range functions {
		for _, tags := range []string{"", "cognitrig_nosenders"} {
			want := map[string]string{}
			for _, s := range everyFunction {
				want[s] = "every function"
			}
			for _, c := range concerns {
				own := calls[c]
				links := libraryLinks[c]
				if c == "messages" && tags != "" {
					own, links = nil, libraryLinks[c+"/"+tags]
				}
				for _, s := range own {
					want[s] = c + " calls it"
				}
				for s, why := range links {
					if _, ok := want[s]; !ok {
						want[s] = "linked by " + why
					}
				}
			}
			out, err := exec.Command(goCmd, "list", "-tags="+tags, "-deps", "github.com/cognitrig/cognitrig/handlers/"+fn).CombinedOutput()
			if err != nil {
				t.Fatalf("go list handlers/%s: %v\n%s", fn, err, out)
			}
			var linked []string
			for _, p := range strings.Fields(string(out)) {
				s, ok := strings.CutPrefix(p, sdkService)
				if ok && !strings.Contains(s, "/") && s != "internal" {
					linked = append(linked, s)
				}
			}
			for _, s := range linked {
				if _, ok := want[s]; !ok {
					t.Errorf("handlers/%s (tags %q) links the %s client, which its concerns %v do not call", fn, tags, s, concerns)
				}
			}
			for s, why := range want {
				if !slices.Contains(linked, s) {
					t.Errorf("handlers/%s (tags %q) does not link %s (%s): correct the lists in this test", fn, tags, s, why)
				}
			}
		}
	}
}
