package awsfake

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// LambdaPolicy is a local Lambda API for a function's resource policy:
// AddPermission and RemovePermission (REST JSON, 2015-03-31 paths).
type LambdaPolicy struct {
	Server
	mu         sync.Mutex
	statements map[string]map[string]json.RawMessage // function → statement ID → request
}

// NewLambdaPolicy starts the server; it stops when t ends.
func NewLambdaPolicy(t testing.TB) *LambdaPolicy {
	l := &LambdaPolicy{statements: map[string]map[string]json.RawMessage{}}
	l.URL = serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/")
		fn, tail, _ := strings.Cut(rest, "/policy")
		if !ok {
			http.NotFound(w, r)
			return
		}
		fn = unescape(fn)
		l.record(r.Method+" policy", body)
		l.mu.Lock()
		defer l.mu.Unlock()
		fail := func(status int, typ, msg string) {
			w.Header().Set("X-Amzn-ErrorType", typ)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"Type":"User","message":"`+msg+`"}`)
		}
		switch r.Method {
		case http.MethodPost:
			var in struct{ StatementId string }
			_ = json.Unmarshal(body, &in)
			if l.statements[fn] == nil {
				l.statements[fn] = map[string]json.RawMessage{}
			}
			if _, dup := l.statements[fn][in.StatementId]; dup {
				fail(http.StatusConflict, "ResourceConflictException", "The statement id provided already exists.")
				return
			}
			l.statements[fn][in.StatementId] = body
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			st, _ := json.Marshal(string(body))
			_, _ = io.WriteString(w, `{"Statement":`+string(st)+`}`)
		case http.MethodDelete:
			sid := unescape(strings.TrimPrefix(tail, "/"))
			if _, ok := l.statements[fn][sid]; !ok {
				fail(http.StatusNotFound, "ResourceNotFoundException", "No policy is found for: "+sid)
				return
			}
			delete(l.statements[fn], sid)
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	})
	return l
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// Statements returns the statements of fn's policy by ID, each the
// AddPermission request as sent.
func (l *LambdaPolicy) Statements(fn string) map[string]json.RawMessage {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := maps.Clone(l.statements[fn])
	if out == nil {
		out = map[string]json.RawMessage{}
	}
	return out
}

// Client returns a Lambda client of this server.
func (l *LambdaPolicy) Client() *lambda.Client {
	return lambda.New(lambda.Options{Region: Region, Credentials: testCredentials, BaseEndpoint: aws.String(l.URL)})
}
