// Package cognitofake is a local fake of the Amazon Cognito user-pool API
// for tests: an http.Handler that speaks the service's JSON 1.1 protocol
// (POST, X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>) for the
// operations a backup uses, so that the real aws-sdk-go-v2 client can be
// pointed at it (BaseEndpoint) in an httptest server.
//
// Operations: DescribeUserPool, ListUsers, ListGroups, ListUsersInGroup,
// AdminGetUser and GetCSVHeader, with Cognito's page limits (60) and opaque
// pagination tokens. ThrottleEvery makes every n-th request fail with
// TooManyRequestsException, as a busy pool does.
package cognitofake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User is a user of a fake pool.
type User struct {
	Username     string
	Attributes   map[string]string
	Status       string // default CONFIRMED
	Enabled      bool
	Created      time.Time // millisecond precision survives the protocol
	Modified     time.Time
	MFAOptions   []MFAOption // legacy SMS MFA options
	PreferredMFA string
	MFASettings  []string
}

// MFAOption is a legacy MFA option.
type MFAOption struct {
	DeliveryMedium string
	AttributeName  string
}

// Group is a group of a fake pool.
type Group struct {
	Name        string
	Description string
	Precedence  *int32
	RoleARN     string
}

// Pool is a fake user pool.
type Pool struct {
	ID               string
	Name             string
	CustomAttributes []string // custom:... names, in the CSV header
	users            []*User
	byName           map[string]*User
	groups           []*Group
	members          map[string][]string // group -> usernames
}

// Server is the fake service. It is safe for concurrent use.
type Server struct {
	mu            sync.Mutex
	throttleEvery int
	pools         map[string]*Pool
	requests      int
	throttled     int
	calls         map[string]int
}

// New returns a server without pools.
func New() *Server { return &Server{pools: map[string]*Pool{}, calls: map[string]int{}} }

// AddPool adds an empty pool.
func (s *Server) AddPool(id, name string, customAttributes ...string) *Pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &Pool{ID: id, Name: name, CustomAttributes: customAttributes, byName: map[string]*User{}, members: map[string][]string{}}
	s.pools[id] = p
	return p
}

// AddUser adds a user to pool id; Add before serving, or it races.
func (s *Server) AddUser(id string, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pools[id]
	if u.Status == "" {
		u.Status = "CONFIRMED"
	}
	cp := u
	p.users = append(p.users, &cp)
	p.byName[u.Username] = &cp
}

// DeleteUser removes a user, as if deleted during a backup. Pagination
// tokens already handed out stay valid and skip nobody else.
func (s *Server) DeleteUser(id, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pools[id].byName, username)
}

// AddGroup adds a group with members to pool id.
func (s *Server) AddGroup(id string, g Group, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pools[id]
	cp := g
	p.groups = append(p.groups, &cp)
	p.members[g.Name] = append(p.members[g.Name], members...)
}

// ThrottleEvery makes the server fail every n-th request from now on with
// TooManyRequestsException; 0 stops throttling. It is safe to call while
// the server serves.
func (s *Server) ThrottleEvery(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleEvery = n
}

// Calls returns how many requests of an operation were served (throttled
// ones included).
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Throttled returns how many requests were refused with
// TooManyRequestsException.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

const pageLimit = 60

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if r.Method != http.MethodPost || !ok || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") {
		writeError(w, "UnknownOperationException", "expected a JSON 1.1 POST with X-Amz-Target AWSCognitoIdentityProviderService.<Operation>")
		return
	}
	// Read the whole body: a request left half-read makes the server drop
	// the connection under the client's feet.
	body, err := io.ReadAll(r.Body)
	var in map[string]any
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil {
		writeError(w, "SerializationException", "body is not JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.calls[op]++
	if s.throttleEvery > 0 && s.requests%s.throttleEvery == 0 {
		s.throttled++
		writeError(w, "TooManyRequestsException", "Rate exceeded")
		return
	}
	poolID, _ := in["UserPoolId"].(string)
	p := s.pools[poolID]
	if p == nil {
		writeError(w, "ResourceNotFoundException", "User pool "+poolID+" does not exist.")
		return
	}
	var out any
	var aerr *apiError
	switch op {
	case "DescribeUserPool":
		out = map[string]any{"UserPool": map[string]any{"Id": p.ID, "Name": p.Name, "EstimatedNumberOfUsers": len(p.byName)}}
	case "ListUsers":
		if _, filtered := in["Filter"]; filtered {
			aerr = &apiError{"InvalidParameterException", "the fake does not implement Filter"}
			break
		}
		out, aerr = listUsers(p, in)
	case "ListGroups":
		out, aerr = listGroups(p, in)
	case "ListUsersInGroup":
		out, aerr = listUsersInGroup(p, in)
	case "AdminGetUser":
		name, _ := in["Username"].(string)
		u := p.byName[name]
		if u == nil {
			aerr = &apiError{"UserNotFoundException", "User does not exist."}
			break
		}
		m := userJSON(u, "UserAttributes")
		m["PreferredMfaSetting"] = u.PreferredMFA
		m["UserMFASettingList"] = u.MFASettings
		if u.PreferredMFA == "" {
			delete(m, "PreferredMfaSetting")
		}
		out = m
	case "GetCSVHeader":
		h := []string{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
			"profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
			"zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at"}
		h = append(h, p.CustomAttributes...)
		out = map[string]any{"UserPoolId": p.ID, "CSVHeader": append(h, "cognito:mfa_enabled", "cognito:username")}
	default:
		aerr = &apiError{"UnknownOperationException", "the fake does not implement " + op}
	}
	if aerr != nil {
		writeError(w, aerr.code, aerr.msg)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

type apiError struct{ code, msg string }

func writeError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	status := http.StatusBadRequest
	if code == "InternalErrorException" {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

// page reads Limit and the token, and returns the slice bounds.
func page(in map[string]any, tokenField, scope string, n int) (start, end int, next string, err *apiError) {
	limit := pageLimit
	if v, ok := in["Limit"].(float64); ok {
		if v < 0 || v > pageLimit {
			return 0, 0, "", &apiError{"InvalidParameterException", fmt.Sprintf("1 validation error detected: Value '%v' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60", v)}
		}
		if v > 0 {
			limit = int(v)
		}
	}
	if tok, ok := in[tokenField].(string); ok && tok != "" {
		raw, decErr := base64.RawURLEncoding.DecodeString(tok)
		prefix := scope + "|"
		if decErr != nil || !strings.HasPrefix(string(raw), prefix) {
			return 0, 0, "", &apiError{"InvalidParameterException", "Invalid pagination token"}
		}
		var convErr error
		start, convErr = strconv.Atoi(strings.TrimPrefix(string(raw), prefix))
		if convErr != nil || start < 0 || start > n {
			return 0, 0, "", &apiError{"InvalidParameterException", "Invalid pagination token"}
		}
	}
	end = min(start+limit, n)
	if end < n {
		next = base64.RawURLEncoding.EncodeToString([]byte(scope + "|" + strconv.Itoa(end)))
	}
	return start, end, next, nil
}

func listUsers(p *Pool, in map[string]any) (any, *apiError) {
	start, end, next, err := page(in, "PaginationToken", "users:"+p.ID, len(p.users))
	if err != nil {
		return nil, err
	}
	users := make([]map[string]any, 0, end-start)
	for _, u := range p.users[start:end] {
		if p.byName[u.Username] == u { // not deleted
			users = append(users, userJSON(u, "Attributes"))
		}
	}
	out := map[string]any{"Users": users}
	if next != "" {
		out["PaginationToken"] = next
	}
	return out, nil
}

func listGroups(p *Pool, in map[string]any) (any, *apiError) {
	start, end, next, err := page(in, "NextToken", "groups:"+p.ID, len(p.groups))
	if err != nil {
		return nil, err
	}
	groups := make([]map[string]any, 0, end-start)
	for _, g := range p.groups[start:end] {
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
	return out, nil
}

func listUsersInGroup(p *Pool, in map[string]any) (any, *apiError) {
	name, _ := in["GroupName"].(string)
	found := false
	for _, g := range p.groups {
		found = found || g.Name == name
	}
	if !found {
		return nil, &apiError{"ResourceNotFoundException", "Group not found."}
	}
	var members []*User
	for _, m := range p.members[name] {
		if u := p.byName[m]; u != nil {
			members = append(members, u)
		}
	}
	start, end, next, err := page(in, "NextToken", "group:"+p.ID+":"+name, len(members))
	if err != nil {
		return nil, err
	}
	users := make([]map[string]any, 0, end-start)
	for _, u := range members[start:end] {
		users = append(users, userJSON(u, "Attributes"))
	}
	out := map[string]any{"Users": users}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// userJSON is a UserType (ListUsers) or, with attrField "UserAttributes",
// the body of AdminGetUser.
func userJSON(u *User, attrField string) map[string]any {
	names := make([]string, 0, len(u.Attributes))
	for n := range u.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	attrs := make([]map[string]string, 0, len(names))
	for _, n := range names {
		attrs = append(attrs, map[string]string{"Name": n, "Value": u.Attributes[n]})
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
