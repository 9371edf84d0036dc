package compose_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"

	. "github.com/cognitrig/cognitrig/handlers/internal/compose"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/authevents"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/customauth"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/messages"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/migration"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/tenancy"
)

// Distinctive internals that no client may read.
const (
	ctTable   = "ct-internal-TBL"
	ctAccount = "123456789012"
	ctKeyARN  = "arn:aws:kms:us-east-1:" + ctAccount + ":key/ct-internal-key"
)

// TestClientTextHidesInternals builds a function of every concern whose AWS
// calls all fail (a local server answers every request with an error that
// names a table, an ARN and an account), and whose AWS calls cannot connect
// at all; drives every recorded event and a few malformed ones through it;
// and checks that whatever reaches the client (the error text Cognito
// shows) is a refusal or the client message with a reference, and names no
// table, ARN, account, endpoint, SDK error chain or field value.
func TestClientTextHidesInternals(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found: Table: ` +
			ctTable + ` arn:aws:dynamodb:us-east-1:` + ctAccount + `:table/` + ctTable + `"}`))
	}))
	t.Cleanup(failing.Close)
	// Nothing listens on the discard port, so connections are refused. (A
	// closed test server's port would do until another package's test
	// server took it, and then receive these calls.)
	const closedURL = "http://127.0.0.1:9"

	settings := with(minimal(),
		config.EnvChallengesTable, ctTable, config.EnvAuditTable, ctTable, config.EnvMigrationTable, ctTable,
		config.EnvLegacyUsersTable, ctTable, config.EnvTenancyTable, ctTable, config.EnvKMSKeyARN, ctKeyARN)
	for _, endpoint := range []string{failing.URL, closedURL} {
		cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("AKIDCTINTERNAL", "secretCTINTERNAL", "")}
		var logs bytes.Buffer
		fn, err := Build(config.Map(settings), cfg, &logs, CustomAuth, Tenancy, MigrationIfConfigured, Messages, AuthEvents)
		if err != nil {
			t.Fatal(err)
		}
		payloads := map[string][]byte{
			"malformed: not JSON":       []byte(`{"triggerSource":"PreSignUp_SignUp", oops}`),
			"malformed: unknown source": []byte(`{"version":"1","triggerSource":"Nope_` + ctTable + `"}`),
			"malformed: wrong type":     []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp","request":{"userAttributes":["` + ctTable + `"]}}`),
		}
		for _, name := range triggertest.Names() {
			payloads[name] = triggertest.Load(t, name)
		}
		failures := 0
		for name, payload := range payloads {
			_, err := triggertest.Invoke(triggertest.AllowIgnored(fn.Handler), payload, 10*time.Second)
			if err == nil {
				continue
			}
			failures++
			text := err.Error()
			var refusal *triggers.Refusal
			isRefusal := asRefusal(err, &refusal) && refusal.Message == text
			if !isRefusal && text != triggers.DefaultClientMessage+" (reference "+triggertest.RequestID+")" {
				t.Errorf("%s via %s: client sees %q, neither a refusal nor the client message", name, endpoint, text)
			}
			for _, leak := range leaks(payload, endpoint) {
				if strings.Contains(strings.ToLower(text), strings.ToLower(leak)) {
					t.Errorf("%s via %s: client text %q contains %q", name, endpoint, text, leak)
				}
			}
		}
		if failures < 10 {
			t.Errorf("via %s only %d invocations failed: the failing AWS calls are not reached", endpoint, failures)
		}
		if !strings.Contains(logs.String(), triggertest.RequestID) {
			t.Errorf("no log line carries the reference")
		}
	}
}

func asRefusal(err error, target **triggers.Refusal) bool {
	for e := err; e != nil; {
		if r, ok := e.(*triggers.Refusal); ok {
			*target = r
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// leaks lists what no client text may contain: internals of the function
// and every string value of the event (attributes, codes, metadata).
func leaks(payload []byte, endpoint string) []string {
	out := []string{ctTable, ctAccount, "arn:", "ct-internal", endpoint, strings.TrimPrefix(endpoint, "http://"),
		"127.0.0.1", "amazonaws.com", "operation error", "api error", "https response error", "StatusCode",
		"RequestID", "ResourceNotFoundException", "dial tcp", "connection refused", "AKIDCTINTERNAL", "SECRET",
		"triggers:", "customauth:", "tenancy:", "migration:", "messages:", "authpolicy:", "dynamodb", "DynamoDB", "kms", "ses", "sns:"}
	for _, v := range triggertest.StringValues(payload) {
		if len(v) >= 6 { // short values ("1", "true", "EMAIL") are words a message may use
			out = append(out, v)
		}
	}
	return out
}
