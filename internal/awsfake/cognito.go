package awsfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// CognitoPoolID is the pool of NewCognitoPool.
const CognitoPoolID = "us-east-1_EXAMPLE1"

// cognitoPageLimit is the largest Limit of ListUsers, ListGroups and
// ListUsersInGroup (Amazon Cognito API Reference, "ListUsers": "Limit …
// Maximum value of 60").
const cognitoPageLimit = 60

const cognitoTarget = "AWSCognitoIdentityProviderService."

// Cognito is a local Amazon Cognito user-pools API (JSON 1.1: POST /,
// X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>, errors as
// {"__type", "message"} with X-Amzn-ErrorType) holding any number of pools,
// for every operation cognitrig calls: DescribeUserPool, UpdateUserPool,
// GetCSVHeader, ListUsers (with a Filter of the form `name = "value"`),
// ListGroups, ListUsersInGroup, AdminListGroupsForUser, AdminGetUser,
// AdminUpdateUserAttributes, AdminSetUserMFAPreference,
// AdminListUserAuthEvents,
// CreateGroup, AdminAddUserToGroup and AdminLinkProviderForUser. It is the
// one local user-pool API of the tests: point the real SDK client at it
// with Client, or a process with --cognito-endpoint or
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.
//
// Lists page as the real API does (at most 60 an answer, opaque tokens;
// PageSize makes pages smaller, for paging tests).
// Each pool holds a settings document (a UserPoolType in the API's JSON
// form) that DescribeUserPool returns and UpdateUserPool replaces: like the
// real service, UpdateUserPool resets every setting the request leaves out
// to its default ("If you don't provide a value for an attribute, Amazon
// Cognito sets it to its default value", Amazon Cognito API Reference,
// "UpdateUserPool"), so a test can prove a caller wrote every setting back.
// Errors carry the names the API reference gives (UserNotFoundException,
// ResourceNotFoundException, GroupExistsException,
// InvalidParameterException, TooManyRequestsException). ThrottleEvery
// and FailNext inject failures; Requests shows what callers sent. Its
// methods are safe for concurrent use.
type Cognito struct {
	URL string

	mu            sync.Mutex
	pools         map[string]*CognitoPool
	calls         map[string]int
	ops           []string
	requests      map[string][]json.RawMessage // op → bodies, in order
	failures      map[string][]cognitoError
	served        int
	throttleEvery int
	throttled     int
	pageSize      int
}

// CognitoUser is a user of a pool.
type CognitoUser struct {
	Username     string
	Attributes   map[string]string
	Status       string // UserStatus; CONFIRMED when empty, EXTERNAL_PROVIDER for a federated user
	Enabled      bool
	Created      time.Time // millisecond precision survives the protocol
	Modified     time.Time
	MFAOptions   []CognitoMFAOption // legacy SMS MFA options
	PreferredMFA string
	MFASettings  []string
}

// CognitoMFAOption is a legacy MFA option (MFAOptionType).
type CognitoMFAOption struct {
	DeliveryMedium string
	AttributeName  string
}

// CognitoGroup is a group of a pool (GroupType).
type CognitoGroup struct {
	Name        string
	Description string
	Precedence  *int32
	RoleARN     string
}

// CognitoIdentity is an entry of a user's "identities" attribute, as
// AdminLinkProviderForUser writes it.
type CognitoIdentity struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      bool    `json:"primary"`
	DateCreated  int64   `json:"dateCreated"`
}

// CognitoPool is one pool of a Cognito server; it carries the server's
// methods too (Client, Calls, Ops, FailNext, ThrottleEvery).
type CognitoPool struct {
	*Cognito
	ID               string
	Name             string
	CustomAttributes []string // custom:... names, in the CSV header
	headerOverride   []string // SetCSVHeader's

	settings   map[string]any // UserPoolType in JSON form, "Id" and "Name" included
	users      []*CognitoUser // in order added, for stable pages
	byName     map[string]*CognitoUser
	groups     []*CognitoGroup
	members    map[string][]string         // group → usernames, in order added
	linked     map[[2]string]string        // (provider, subject) → destination user
	authEvents map[string][]map[string]any // username → AuthEventType JSON, newest first
}

type cognitoError struct {
	status        int
	code, message string
}

func cognitoErrorf(code, format string, args ...any) *cognitoError {
	return &cognitoError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...)}
}

// NewCognito starts a Cognito server without pools; it stops when t ends.
func NewCognito(t testing.TB) *Cognito {
	s := &Cognito{pools: map[string]*CognitoPool{}, calls: map[string]int{}, requests: map[string][]json.RawMessage{}, failures: map[string][]cognitoError{}}
	s.URL = serve(t, s.serve)
	return s
}

// NewCognitoPool starts a Cognito server with one empty pool,
// CognitoPoolID, and returns the pool.
func NewCognitoPool(t testing.TB) *CognitoPool {
	return NewCognito(t).AddPool(CognitoPoolID, "pool")
}

// Client returns an SDK client of the server. Retries are off, so that
// an injected failure is seen once.
func (s *Cognito) Client() *cip.Client {
	return cip.New(cip.Options{Region: Region, BaseEndpoint: aws.String(s.URL), Credentials: testCredentials, RetryMaxAttempts: 1})
}

// NewCognitoPoolSettings starts a Cognito server with one empty pool
// whose settings are settings, a UserPoolType in the API's JSON form
// (field names as in the API reference, "Id", "Name" and "Arn" included),
// and returns the pool.
func NewCognitoPoolSettings(t testing.TB, settings map[string]any) *CognitoPool {
	return NewCognito(t).AddPoolSettings(settings)
}

// LoadPoolSettings reads a pool's settings document, a UserPoolType in
// the API's JSON form (as DescribeUserPool's UserPool), from a JSON file;
// it fails t when the file is missing or not a JSON object.
func LoadPoolSettings(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// AddPool adds an empty pool and returns it.
func (s *Cognito) AddPool(id, name string, customAttributes ...string) *CognitoPool {
	return s.addPool(map[string]any{"Id": id, "Name": name}, customAttributes)
}

// AddPoolSettings adds an empty pool whose settings are settings, a
// UserPoolType in the API's JSON form with "Id" and "Name", and returns it.
// The pool keeps settings; use Settings for a copy.
func (s *Cognito) AddPoolSettings(settings map[string]any) *CognitoPool {
	return s.addPool(settings, nil)
}

func (s *Cognito) addPool(settings map[string]any, customAttributes []string) *CognitoPool {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := settings["Id"].(string)
	name, _ := settings["Name"].(string)
	p := &CognitoPool{Cognito: s, ID: id, Name: name, settings: settings, CustomAttributes: customAttributes,
		byName: map[string]*CognitoUser{}, members: map[string][]string{}, linked: map[[2]string]string{},
		authEvents: map[string][]map[string]any{}}
	s.pools[id] = p
	return p
}

// SetCSVHeader makes GetCSVHeader answer header as is, instead of the
// standard attributes, CustomAttributes and the cognito: columns.
func (p *CognitoPool) SetCSVHeader(header []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.headerOverride = slices.Clone(header)
}

// Settings returns a copy of the pool's settings document as stored now
// (without the computed EstimatedNumberOfUsers), in JSON form.
func (p *CognitoPool) Settings() map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return jsonCopy(p.settings)
}

// jsonCopy is a deep copy of a JSON document.
func jsonCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
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

// Pool returns the pool id, or nil.
func (s *Cognito) Pool(id string) *CognitoPool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pools[id]
}

// ThrottleEvery makes the server fail every n-th request from now on with
// TooManyRequestsException; 0 stops throttling.
func (s *Cognito) ThrottleEvery(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleEvery = n
}

// PageSize makes every list answer hold at most n items (fewer when the
// request's Limit is smaller), so that a few items span pages; 0 is the
// API's 60.
func (s *Cognito) PageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Throttled returns how many requests ThrottleEvery refused.
func (s *Cognito) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// Calls returns how many requests of op were served, failed ones included.
func (s *Cognito) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Requests returns the bodies of the requests of op served so far, in
// order, failed ones included, each decoded from JSON.
func (s *Cognito) Requests(op string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(s.requests[op]))
	for _, raw := range s.requests[op] {
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		out = append(out, m)
	}
	return out
}

// Ops lists the operations called so far, in order, failed ones included.
func (s *Cognito) Ops() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ops)
}

// FailNext makes the next call of op fail with the error code (such as
// "TooManyRequestsException") and message.
func (s *Cognito) FailNext(op, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[op] = append(s.failures[op], cognitoError{http.StatusBadRequest, code, message})
}

// AddUser adds a user, or replaces the one of the same name in place.
func (p *CognitoPool) AddUser(u CognitoUser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.Status == "" {
		u.Status = "CONFIRMED"
	}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	if old := p.byName[u.Username]; old != nil {
		*old = u
		return
	}
	cp := u
	p.users = append(p.users, &cp)
	p.byName[u.Username] = &cp
}

// DeleteUser removes a user, as if deleted while a client pages. Tokens
// already handed out stay valid and skip nobody else.
func (p *CognitoPool) DeleteUser(username string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.byName, username)
}

// AddGroup adds a group (or, if it exists, members to it).
func (p *CognitoPool) AddGroup(g CognitoGroup, members ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.members[g.Name]; !ok {
		cp := g
		p.groups = append(p.groups, &cp)
		p.members[g.Name] = []string{}
	}
	for _, m := range members {
		if !slices.Contains(p.members[g.Name], m) {
			p.members[g.Name] = append(p.members[g.Name], m)
		}
	}
}

// SetAuthEvents sets the sign-in history AdminListUserAuthEvents returns
// for a user: AuthEventType objects in the API's JSON form (EventType,
// EventResponse, CreationDate in epoch seconds, EventRisk,
// EventContextData …), newest first.
func (p *CognitoPool) SetAuthEvents(username string, events ...map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.authEvents[username] = events
}

// User returns a copy of a user.
func (p *CognitoPool) User(name string) (CognitoUser, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.byName[name]
	if !ok {
		return CognitoUser{}, false
	}
	c := *u
	c.Attributes = map[string]string{}
	for k, v := range u.Attributes {
		c.Attributes[k] = v
	}
	return c, true
}

// Members returns the members of a group, and whether it exists.
func (p *CognitoPool) Members(group string) ([]string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.members[group]
	return slices.Clone(m), ok
}

func (s *Cognito) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	// Read the whole body: a request left half-read makes the server drop
	// the connection under the client's feet.
	raw, readErr := io.ReadAll(r.Body)
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		writeCognitoError(w, cognitoErrorf("UnknownOperationException", "POST / expected"))
		return
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1"):
		writeCognitoError(w, cognitoErrorf("SerializationException", "Content-Type must be application/x-amz-json-1.1"))
		return
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 "):
		writeCognitoError(w, &cognitoError{http.StatusForbidden, "MissingAuthenticationTokenException", "request is not signed"})
		return
	case !strings.HasPrefix(target, cognitoTarget):
		writeCognitoError(w, cognitoErrorf("UnknownOperationException", "X-Amz-Target %q", target))
		return
	}
	op := strings.TrimPrefix(target, cognitoTarget)
	var body map[string]json.RawMessage
	if readErr != nil || json.Unmarshal(raw, &body) != nil {
		writeCognitoError(w, cognitoErrorf("SerializationException", "body is not a JSON object"))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.served++
	s.calls[op]++
	s.ops = append(s.ops, op)
	s.requests[op] = append(s.requests[op], raw)
	if f := s.failures[op]; len(f) > 0 {
		s.failures[op] = f[1:]
		writeCognitoError(w, &f[0])
		return
	}
	if s.throttleEvery > 0 && s.served%s.throttleEvery == 0 {
		s.throttled++
		writeCognitoError(w, cognitoErrorf("TooManyRequestsException", "Rate exceeded"))
		return
	}
	id := field[string](body, "UserPoolId")
	p := s.pools[id]
	if p == nil {
		writeCognitoError(w, cognitoErrorf("ResourceNotFoundException", "User pool %s does not exist.", id))
		return
	}
	var (
		out  any
		aerr *cognitoError
	)
	switch op {
	case "DescribeUserPool":
		pool := maps.Clone(p.settings)
		pool["EstimatedNumberOfUsers"] = len(p.byName)
		out = map[string]any{"UserPool": pool}
	case "UpdateUserPool":
		p.updateUserPool(body)
	case "GetCSVHeader":
		out = p.csvHeader()
	case "ListUsers":
		out, aerr = p.listUsers(body)
	case "ListGroups":
		out, aerr = p.listGroups(body)
	case "ListUsersInGroup":
		out, aerr = p.listUsersInGroup(body)
	case "AdminListGroupsForUser":
		out, aerr = p.adminListGroupsForUser(body)
	case "AdminGetUser":
		out, aerr = p.adminGetUser(body)
	case "AdminUpdateUserAttributes":
		aerr = p.adminUpdateUserAttributes(body)
	case "AdminSetUserMFAPreference":
		aerr = p.adminSetUserMFAPreference(body)
	case "AdminListUserAuthEvents":
		out, aerr = p.adminListUserAuthEvents(body)
	case "CreateGroup":
		out, aerr = p.createGroup(body)
	case "AdminAddUserToGroup":
		aerr = p.adminAddUserToGroup(body)
	case "AdminLinkProviderForUser":
		aerr = p.adminLinkProviderForUser(body)
	default:
		aerr = cognitoErrorf("UnknownOperationException", "operation %s is not supported by the fake", op)
	}
	if aerr != nil {
		writeCognitoError(w, aerr)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func writeCognitoError(w http.ResponseWriter, e *cognitoError) {
	status := e.status
	if e.code == "InternalErrorException" {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.code, "message": e.message})
}

func field[T any](body map[string]json.RawMessage, name string) T {
	var v T
	_ = json.Unmarshal(body[name], &v)
	return v
}

type cognitoAttribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

func (p *CognitoPool) user(body map[string]json.RawMessage) (*CognitoUser, *cognitoError) {
	u, ok := p.byName[field[string](body, "Username")]
	if !ok {
		return nil, cognitoErrorf("UserNotFoundException", "User does not exist.")
	}
	return u, nil
}

// updateUserPool writes the settings of the request and resets those it
// leaves out, as the real API does (see Cognito).
func (p *CognitoPool) updateUserPool(body map[string]json.RawMessage) {
	for _, k := range UpdatableSettings() {
		stored := k
		if k == "PoolName" {
			stored = "Name"
		}
		if raw, ok := body[k]; ok {
			var v any
			_ = json.Unmarshal(raw, &v)
			p.settings[stored] = v
			if k == "PoolName" {
				p.Name, _ = v.(string)
			}
		} else if k != "PoolName" {
			// Omitted: back to the default. (The name is kept: it cannot
			// be emptied.)
			delete(p.settings, stored)
		}
	}
}

func (p *CognitoPool) csvHeader() any {
	h := []string{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
		"zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at"}
	if p.headerOverride != nil {
		return map[string]any{"UserPoolId": p.ID, "CSVHeader": p.headerOverride}
	}
	h = append(h, p.CustomAttributes...)
	return map[string]any{"UserPoolId": p.ID, "CSVHeader": append(h, "cognito:mfa_enabled", "cognito:username")}
}

// page reads Limit and the token, and returns the slice bounds.
func (p *CognitoPool) page(body map[string]json.RawMessage, tokenField, scope string, n int) (start, end int, next string, err *cognitoError) {
	return p.pageOf(body, "Limit", tokenField, scope, n)
}

// pageOf is page with the limit read from limitField.
func (p *CognitoPool) pageOf(body map[string]json.RawMessage, limitField, tokenField, scope string, n int) (start, end int, next string, err *cognitoError) {
	limit := cognitoPageLimit
	if p.pageSize > 0 {
		limit = p.pageSize
	}
	if _, ok := body[limitField]; ok {
		v := field[float64](body, limitField)
		if v < 0 || v > cognitoPageLimit {
			return 0, 0, "", cognitoErrorf("InvalidParameterException", "1 validation error detected: Value '%v' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60", v)
		}
		if v > 0 {
			limit = min(limit, int(v))
		}
	}
	if tok := field[string](body, tokenField); tok != "" {
		raw, decErr := base64.RawURLEncoding.DecodeString(tok)
		rest, ok := strings.CutPrefix(string(raw), scope+"|")
		var convErr error
		start, convErr = strconv.Atoi(rest)
		if decErr != nil || !ok || convErr != nil || start < 0 || start > n {
			return 0, 0, "", cognitoErrorf("InvalidParameterException", "Invalid pagination token")
		}
	}
	end = min(start+limit, n)
	if end < n {
		next = base64.RawURLEncoding.EncodeToString([]byte(scope + "|" + strconv.Itoa(end)))
	}
	return start, end, next, nil
}

var filterPattern = regexp.MustCompile(`^\s*([\w:]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$`)

func (p *CognitoPool) listUsers(body map[string]json.RawMessage) (any, *cognitoError) {
	users := p.users
	filter := field[string](body, "Filter")
	scope := "users:" + p.ID
	if filter != "" {
		m := filterPattern.FindStringSubmatch(filter)
		if m == nil {
			return nil, cognitoErrorf("InvalidParameterException", "Error while parsing filter.")
		}
		name, value := m[1], strings.ReplaceAll(strings.ReplaceAll(m[2], `\"`, `"`), `\\`, `\`)
		users = nil
		for _, u := range p.users {
			if u.Attributes[name] == value || (name == "username" && u.Username == value) {
				users = append(users, u)
			}
		}
		scope += ":" + filter
	}
	start, end, next, err := p.page(body, "PaginationToken", scope, len(users))
	if err != nil {
		return nil, err
	}
	return p.usersPage(users[start:end], "PaginationToken", next), nil
}

// usersPage is an answer of ListUsers or ListUsersInGroup: the users not
// deleted since, and the next token under tokenField.
func (p *CognitoPool) usersPage(users []*CognitoUser, tokenField, next string) map[string]any {
	list := make([]map[string]any, 0, len(users))
	for _, u := range users {
		if p.byName[u.Username] == u {
			list = append(list, userJSON(u, "Attributes"))
		}
	}
	out := map[string]any{"Users": list}
	if next != "" {
		out[tokenField] = next
	}
	return out
}

func (p *CognitoPool) listGroups(body map[string]json.RawMessage) (any, *cognitoError) {
	start, end, next, err := p.page(body, "NextToken", "groups:"+p.ID, len(p.groups))
	if err != nil {
		return nil, err
	}
	return p.groupsPage(p.groups[start:end], next), nil
}

// groupsPage is an answer of ListGroups or AdminListGroupsForUser.
func (p *CognitoPool) groupsPage(page []*CognitoGroup, next string) map[string]any {
	groups := make([]map[string]any, 0, len(page))
	for _, g := range page {
		m := map[string]any{"GroupName": g.Name, "UserPoolId": p.ID}
		if g.Description != "" {
			m["Description"] = g.Description
		}
		if g.Precedence != nil {
			m["Precedence"] = *g.Precedence
		}
		if g.RoleARN != "" {
			m["RoleArn"] = g.RoleARN
		}
		groups = append(groups, m)
	}
	out := map[string]any{"Groups": groups}
	if next != "" {
		out["NextToken"] = next
	}
	return out
}

func (p *CognitoPool) adminListGroupsForUser(body map[string]json.RawMessage) (any, *cognitoError) {
	u, err := p.user(body)
	if err != nil {
		return nil, err
	}
	var groups []*CognitoGroup
	for _, g := range p.groups {
		if slices.Contains(p.members[g.Name], u.Username) {
			groups = append(groups, g)
		}
	}
	start, end, next, err := p.page(body, "NextToken", "user-groups:"+p.ID+":"+u.Username, len(groups))
	if err != nil {
		return nil, err
	}
	return p.groupsPage(groups[start:end], next), nil
}

func (p *CognitoPool) listUsersInGroup(body map[string]json.RawMessage) (any, *cognitoError) {
	name := field[string](body, "GroupName")
	names, found := p.members[name]
	if !found {
		return nil, cognitoErrorf("ResourceNotFoundException", "Group not found.")
	}
	var members []*CognitoUser
	for _, m := range names {
		if u := p.byName[m]; u != nil {
			members = append(members, u)
		}
	}
	start, end, next, err := p.page(body, "NextToken", "group:"+p.ID+":"+name, len(members))
	if err != nil {
		return nil, err
	}
	return p.usersPage(members[start:end], "NextToken", next), nil
}

func (p *CognitoPool) adminGetUser(body map[string]json.RawMessage) (any, *cognitoError) {
	u, err := p.user(body)
	if err != nil {
		return nil, err
	}
	m := userJSON(u, "UserAttributes")
	m["UserMFASettingList"] = u.MFASettings
	if u.PreferredMFA != "" {
		m["PreferredMfaSetting"] = u.PreferredMFA
	}
	return m, nil
}

func (p *CognitoPool) adminUpdateUserAttributes(body map[string]json.RawMessage) *cognitoError {
	u, err := p.user(body)
	if err != nil {
		return err
	}
	attrs := field[[]cognitoAttribute](body, "UserAttributes")
	if len(attrs) == 0 {
		return cognitoErrorf("InvalidParameterException", "UserAttributes is required")
	}
	for _, a := range attrs {
		u.Attributes[a.Name] = a.Value
	}
	return nil
}

// mfaSettings maps the settings fields of AdminSetUserMFAPreference to the
// names UserMFASettingList uses.
var mfaSettings = []struct{ field, name string }{
	{"SMSMfaSettings", "SMS_MFA"}, {"SoftwareTokenMfaSettings", "SOFTWARE_TOKEN_MFA"}, {"EmailMfaSettings", "EMAIL_OTP"},
}

func (p *CognitoPool) adminSetUserMFAPreference(body map[string]json.RawMessage) *cognitoError {
	u, err := p.user(body)
	if err != nil {
		return err
	}
	for _, m := range mfaSettings {
		if _, ok := body[m.field]; !ok {
			continue // left out: unchanged
		}
		set := field[struct{ Enabled, PreferredMfa bool }](body, m.field)
		u.MFASettings = slices.DeleteFunc(u.MFASettings, func(s string) bool { return s == m.name })
		if set.Enabled {
			u.MFASettings = append(u.MFASettings, m.name)
		}
		switch {
		case set.Enabled && set.PreferredMfa:
			u.PreferredMFA = m.name
		case u.PreferredMFA == m.name:
			u.PreferredMFA = ""
		}
	}
	return nil
}

func (p *CognitoPool) adminListUserAuthEvents(body map[string]json.RawMessage) (any, *cognitoError) {
	u, err := p.user(body)
	if err != nil {
		return nil, err
	}
	events := p.authEvents[u.Username]
	start, end, next, err := p.pageOf(body, "MaxResults", "NextToken", "events:"+p.ID+":"+u.Username, len(events))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"AuthEvents": append([]map[string]any{}, events[start:end]...)}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func (p *CognitoPool) createGroup(body map[string]json.RawMessage) (any, *cognitoError) {
	g := field[string](body, "GroupName")
	if g == "" {
		return nil, cognitoErrorf("InvalidParameterException", "GroupName is required")
	}
	if _, ok := p.members[g]; ok {
		return nil, cognitoErrorf("GroupExistsException", "A group with the name %s already exists.", g)
	}
	p.groups = append(p.groups, &CognitoGroup{Name: g})
	p.members[g] = []string{}
	return map[string]any{"Group": map[string]any{"GroupName": g, "UserPoolId": p.ID}}, nil
}

func (p *CognitoPool) adminAddUserToGroup(body map[string]json.RawMessage) *cognitoError {
	u, err := p.user(body)
	if err != nil {
		return err
	}
	g := field[string](body, "GroupName")
	members, ok := p.members[g]
	if !ok {
		return cognitoErrorf("ResourceNotFoundException", "Group not found.")
	}
	if !slices.Contains(members, u.Username) { // adding twice is not an error
		p.members[g] = append(members, u.Username)
	}
	return nil
}

type providerUser struct {
	ProviderName           string `json:"ProviderName"`
	ProviderAttributeName  string `json:"ProviderAttributeName"`
	ProviderAttributeValue string `json:"ProviderAttributeValue"`
}

func (p *CognitoPool) adminLinkProviderForUser(body map[string]json.RawMessage) *cognitoError {
	dst := field[providerUser](body, "DestinationUser")
	src := field[providerUser](body, "SourceUser")
	if dst.ProviderName != "Cognito" || dst.ProviderAttributeValue == "" {
		return cognitoErrorf("InvalidParameterException", "DestinationUser must be a Cognito user")
	}
	if src.ProviderName == "" || src.ProviderName == "Cognito" || src.ProviderAttributeName != "Cognito_Subject" || src.ProviderAttributeValue == "" {
		return cognitoErrorf("InvalidParameterException", "Invalid SourceUser")
	}
	u, ok := p.byName[dst.ProviderAttributeValue]
	if !ok {
		return cognitoErrorf("UserNotFoundException", "User does not exist.")
	}
	k := [2]string{src.ProviderName, src.ProviderAttributeValue}
	if _, done := p.linked[k]; done {
		return cognitoErrorf("InvalidParameterException", "Merging is not currently supported, provide a SourceUser that has not been linked yet")
	}
	if _, exists := p.byName[src.ProviderName+"_"+src.ProviderAttributeValue]; exists {
		return cognitoErrorf("InvalidParameterException", "SourceUser already exists as a user")
	}
	var ids []CognitoIdentity
	if v := u.Attributes["identities"]; v != "" {
		_ = json.Unmarshal([]byte(v), &ids)
	}
	ids = append(ids, CognitoIdentity{UserID: src.ProviderAttributeValue, ProviderName: src.ProviderName, ProviderType: "OIDC", DateCreated: time.Now().UnixMilli()})
	b, _ := json.Marshal(ids)
	u.Attributes["identities"] = string(b)
	p.linked[k] = u.Username
	return nil
}

// userJSON is a UserType (ListUsers) or, with attrField "UserAttributes",
// the body of AdminGetUser.
func userJSON(u *CognitoUser, attrField string) map[string]any {
	names := make([]string, 0, len(u.Attributes))
	for n := range u.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	attrs := make([]cognitoAttribute, 0, len(names))
	for _, n := range names {
		attrs = append(attrs, cognitoAttribute{n, u.Attributes[n]})
	}
	m := map[string]any{
		"Username":             u.Username,
		attrField:              attrs,
		"UserCreateDate":       epoch(u.Created),
		"UserLastModifiedDate": epoch(u.Modified),
		"Enabled":              u.Enabled,
		"UserStatus":           u.Status,
	}
	if len(u.MFAOptions) > 0 {
		opts := make([]map[string]string, 0, len(u.MFAOptions))
		for _, o := range u.MFAOptions {
			opts = append(opts, map[string]string{"DeliveryMedium": o.DeliveryMedium, "AttributeName": o.AttributeName})
		}
		m["MFAOptions"] = opts
	}
	return m
}

// epoch is the JSON 1.1 timestamp: seconds since the epoch, with a fraction.
func epoch(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64))
}
