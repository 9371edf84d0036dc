package awsfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// UserPool is a local Cognito user-pool API holding one pool, for
// DescribeUserPool and UpdateUserPool. Like the real service, UpdateUserPool
// resets every setting the request leaves out to its default ("If you don't
// provide a value for an attribute, Amazon Cognito sets it to its default
// value", Amazon Cognito API Reference, "UpdateUserPool"), so a test can
// prove a caller wrote every setting back.
type UserPool struct {
	*JSONService
	mu   sync.Mutex
	pool map[string]any
}

// NewUserPool serves pool, a UserPoolType in the API's JSON form (field
// names as in the API reference, "Id" and "Arn" included).
func NewUserPool(t testing.TB, pool map[string]any) *UserPool {
	p := &UserPool{JSONService: NewJSONService(t), pool: pool}
	p.Reply("DescribeUserPool", func(body []byte) (int, string) {
		var in struct{ UserPoolId string }
		_ = json.Unmarshal(body, &in)
		p.mu.Lock()
		defer p.mu.Unlock()
		if in.UserPoolId != p.pool["Id"] {
			return http.StatusBadRequest, `{"__type":"ResourceNotFoundException","message":"User pool does not exist."}`
		}
		out, _ := json.Marshal(map[string]any{"UserPool": p.pool})
		return http.StatusOK, string(out)
	})
	p.Reply("UpdateUserPool", func(body []byte) (int, string) {
		var in map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			return http.StatusBadRequest, `{"__type":"InvalidParameterException","message":"bad JSON"}`
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if in["UserPoolId"] != p.pool["Id"] {
			return http.StatusBadRequest, `{"__type":"ResourceNotFoundException","message":"User pool does not exist."}`
		}
		for _, k := range UpdatableSettings() {
			stored := k
			if k == "PoolName" {
				stored = "Name"
			}
			if v, ok := in[k]; ok {
				p.pool[stored] = v
			} else if k != "PoolName" {
				// Omitted: back to the default. (The name is kept: it
				// cannot be emptied.)
				delete(p.pool, stored)
			}
		}
		return http.StatusOK, "{}"
	})
	return p
}

// UpdatableSettings lists the settings UpdateUserPool takes besides the pool
// ID, read from the SDK's request type, so the list follows the SDK.
func UpdatableSettings() []string {
	var out []string
	t := reflect.TypeOf(cip.UpdateUserPoolInput{})
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && f.Name != "UserPoolId" {
			out = append(out, f.Name)
		}
	}
	return out
}

// Pool returns a copy of the pool as stored now, in JSON form.
func (p *UserPool) Pool() map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, _ := json.Marshal(p.pool)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// Client returns a Cognito client of this server.
func (p *UserPool) Client() *cip.Client {
	return cip.New(cip.Options{Region: Region, Credentials: testCredentials, BaseEndpoint: aws.String(p.URL)})
}

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
	out := map[string]json.RawMessage{}
	for k, v := range l.statements[fn] {
		out[k] = v
	}
	return out
}

// Client returns a Lambda client of this server.
func (l *LambdaPolicy) Client() *lambda.Client {
	return lambda.New(lambda.Options{Region: Region, Credentials: testCredentials, BaseEndpoint: aws.String(l.URL)})
}
