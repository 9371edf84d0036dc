// Package cognitofake is a local Amazon Cognito user-pools endpoint for
// tests: an httptest server on 127.0.0.1 that speaks the service's JSON
// 1.1 protocol (POST /, X-Amz-Target: AWSCognitoIdentityProviderService.Op,
// application/x-amz-json-1.1, errors as {"__type", "message"}) for the few
// admin operations that package tenancy uses, so that tests drive the real
// aws-sdk-go-v2 client against it.
package cognitofake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// PoolID is the only user pool the server knows.
const PoolID = "us-east-1_EXAMPLE1"

const targetPrefix = "AWSCognitoIdentityProviderService."

// User is a user of the pool.
type User struct {
	Username   string
	Attributes map[string]string
	Status     string // CONFIRMED, or EXTERNAL_PROVIDER for a federated user
	Enabled    bool
}

// Identity is an entry of a user's "identities" attribute.
type Identity struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      bool    `json:"primary"`
	DateCreated  int64   `json:"dateCreated"`
}

type failure struct{ code, message string }

// Server is the fake endpoint. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	users    map[string]*User
	groups   map[string][]string // group → members, in order added
	calls    []string
	failures map[string][]failure
	linked   map[[2]string]string // (provider, subject) → destination user
}

// New starts a server that t closes at its end.
func New(t testing.TB) *Server {
	s := &Server{
		users:    map[string]*User{},
		groups:   map[string][]string{},
		failures: map[string][]failure{},
		linked:   map[[2]string]string{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// Client returns an SDK client whose requests go to the server. Retries
// are off, so that a failure injected with FailNext is seen once.
func (s *Server) Client() *cip.Client {
	return cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	s.users[u.Username] = &u
}

// AddGroup creates a group.
func (s *Server) AddGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; !ok {
		s.groups[name] = nil
	}
}

// User returns a copy of a user.
func (s *Server) User(name string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return User{}, false
	}
	c := *u
	c.Attributes = map[string]string{}
	for k, v := range u.Attributes {
		c.Attributes[k] = v
	}
	return c, true
}

// Members returns the members of a group, and whether it exists.
func (s *Server) Members(group string) ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.groups[group]
	return slices.Clone(m), ok
}

// Calls returns how many times op was called (failed calls included).
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c == op {
			n++
		}
	}
	return n
}

// FailNext makes the next call of op fail with the error code (such as
// "TooManyRequestsException") and message.
func (s *Server) FailNext(op, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[op] = append(s.failures[op], failure{code, message})
}

type apiError struct {
	status        int
	code, message string
}

func errorf(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		writeError(w, errorf("UnknownOperationException", "POST / expected"))
		return
	case r.Header.Get("Content-Type") != "application/x-amz-json-1.1":
		writeError(w, errorf("SerializationException", "Content-Type must be application/x-amz-json-1.1"))
		return
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 "):
		writeError(w, &apiError{status: http.StatusForbidden, code: "MissingAuthenticationTokenException", message: "request is not signed"})
		return
	case !strings.HasPrefix(target, targetPrefix):
		writeError(w, errorf("UnknownOperationException", "X-Amz-Target %q", target))
		return
	}
	op := strings.TrimPrefix(target, targetPrefix)
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, errorf("SerializationException", "body is not a JSON object"))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, op)
	if f := s.failures[op]; len(f) > 0 {
		s.failures[op] = f[1:]
		writeError(w, errorf(f[0].code, "%s", f[0].message))
		return
	}
	var pool string
	_ = json.Unmarshal(body["UserPoolId"], &pool)
	if pool != PoolID {
		writeError(w, errorf("ResourceNotFoundException", "User pool %s does not exist.", pool))
		return
	}
	var (
		out  any
		aerr *apiError
	)
	switch op {
	case "AdminUpdateUserAttributes":
		aerr = s.adminUpdateUserAttributes(body)
	case "AdminAddUserToGroup":
		aerr = s.adminAddUserToGroup(body)
	case "CreateGroup":
		out, aerr = s.createGroup(body)
	case "ListUsers":
		out, aerr = s.listUsers(body)
	case "AdminLinkProviderForUser":
		aerr = s.adminLinkProviderForUser(body)
	default:
		aerr = errorf("UnknownOperationException", "operation %s is not supported by the fake", op)
	}
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.code, "message": e.message})
}

func field[T any](body map[string]json.RawMessage, name string) T {
	var v T
	_ = json.Unmarshal(body[name], &v)
	return v
}

type attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

func (s *Server) user(body map[string]json.RawMessage) (*User, *apiError) {
	name := field[string](body, "Username")
	u, ok := s.users[name]
	if !ok {
		return nil, errorf("UserNotFoundException", "User does not exist.")
	}
	return u, nil
}

func (s *Server) adminUpdateUserAttributes(body map[string]json.RawMessage) *apiError {
	u, err := s.user(body)
	if err != nil {
		return err
	}
	attrs := field[[]attribute](body, "UserAttributes")
	if len(attrs) == 0 {
		return errorf("InvalidParameterException", "UserAttributes is required")
	}
	for _, a := range attrs {
		u.Attributes[a.Name] = a.Value
	}
	return nil
}

func (s *Server) adminAddUserToGroup(body map[string]json.RawMessage) *apiError {
	u, err := s.user(body)
	if err != nil {
		return err
	}
	g := field[string](body, "GroupName")
	members, ok := s.groups[g]
	if !ok {
		return errorf("ResourceNotFoundException", "Group not found.")
	}
	if !slices.Contains(members, u.Username) { // adding twice is not an error
		s.groups[g] = append(members, u.Username)
	}
	return nil
}

func (s *Server) createGroup(body map[string]json.RawMessage) (any, *apiError) {
	g := field[string](body, "GroupName")
	if g == "" {
		return nil, errorf("InvalidParameterException", "GroupName is required")
	}
	if _, ok := s.groups[g]; ok {
		return nil, errorf("GroupExistsException", "A group with the name %s already exists.", g)
	}
	s.groups[g] = nil
	return map[string]any{"Group": map[string]any{"GroupName": g, "UserPoolId": PoolID}}, nil
}

var filterPattern = regexp.MustCompile(`^\s*([\w:]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$`)

func (s *Server) listUsers(body map[string]json.RawMessage) (any, *apiError) {
	filter := field[string](body, "Filter")
	var name, value string
	if filter != "" {
		m := filterPattern.FindStringSubmatch(filter)
		if m == nil {
			return nil, errorf("InvalidParameterException", "Error while parsing filter.")
		}
		name, value = m[1], strings.ReplaceAll(strings.ReplaceAll(m[2], `\"`, `"`), `\\`, `\`)
	}
	names := make([]string, 0, len(s.users))
	for n := range s.users {
		names = append(names, n)
	}
	slices.Sort(names)
	users := []map[string]any{}
	for _, n := range names {
		u := s.users[n]
		if name != "" && u.Attributes[name] != value && !(name == "username" && u.Username == value) {
			continue
		}
		attrs := []attribute{}
		for k, v := range u.Attributes {
			attrs = append(attrs, attribute{k, v})
		}
		slices.SortFunc(attrs, func(a, b attribute) int { return strings.Compare(a.Name, b.Name) })
		users = append(users, map[string]any{
			"Username":       u.Username,
			"Attributes":     attrs,
			"UserStatus":     u.Status,
			"Enabled":        u.Enabled,
			"UserCreateDate": 1.7e9,
		})
	}
	return map[string]any{"Users": users}, nil
}

type providerUser struct {
	ProviderName           string `json:"ProviderName"`
	ProviderAttributeName  string `json:"ProviderAttributeName"`
	ProviderAttributeValue string `json:"ProviderAttributeValue"`
}

func (s *Server) adminLinkProviderForUser(body map[string]json.RawMessage) *apiError {
	dst := field[providerUser](body, "DestinationUser")
	src := field[providerUser](body, "SourceUser")
	if dst.ProviderName != "Cognito" || dst.ProviderAttributeValue == "" {
		return errorf("InvalidParameterException", "DestinationUser must be a Cognito user")
	}
	if src.ProviderName == "" || src.ProviderName == "Cognito" || src.ProviderAttributeName != "Cognito_Subject" || src.ProviderAttributeValue == "" {
		return errorf("InvalidParameterException", "Invalid SourceUser")
	}
	u, ok := s.users[dst.ProviderAttributeValue]
	if !ok {
		return errorf("UserNotFoundException", "User does not exist.")
	}
	k := [2]string{src.ProviderName, src.ProviderAttributeValue}
	if _, done := s.linked[k]; done {
		return errorf("InvalidParameterException", "Merging is not currently supported, provide a SourceUser that has not been linked yet")
	}
	if _, exists := s.users[src.ProviderName+"_"+src.ProviderAttributeValue]; exists {
		return errorf("InvalidParameterException", "SourceUser already exists as a user")
	}
	var ids []Identity
	if v := u.Attributes["identities"]; v != "" {
		_ = json.Unmarshal([]byte(v), &ids)
	}
	ids = append(ids, Identity{UserID: src.ProviderAttributeValue, ProviderName: src.ProviderName, ProviderType: "OIDC", DateCreated: time.Now().UnixMilli()})
	b, _ := json.Marshal(ids)
	u.Attributes["identities"] = string(b)
	s.linked[k] = u.Username
	return nil
}
