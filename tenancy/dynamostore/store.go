package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/tenancy"
)

// API is the part of *dynamodb.Client that Store uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Names of the table's key and TTL attributes.
const (
	PartitionKey = "pk"
	SortKey      = "sk"
	TTLAttribute = "ttl"
)

// DefaultInvitationRetention is how long an expired invitation is kept
// before DynamoDB's TTL may delete it.
const DefaultInvitationRetention = 30 * 24 * time.Hour

// TableDefinition returns the CreateTable input of a table named name.
// TTL is not part of CreateTable: enable it on TTLAttribute separately
// (UpdateTimeToLive, or timeToLiveAttribute in the CDK table).
func TableDefinition(name string) dynamodb.CreateTableInput {
	return dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(PartitionKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(SortKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(PartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(SortKey), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	}
}

// Store is a tenancy.Store in one DynamoDB table (see the package
// documentation for its design). It is safe for concurrent use.
type Store struct {
	api       API
	table     *string
	retention time.Duration
}

var _ tenancy.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithInvitationRetention sets how long after expiry an invitation is
// kept (its "ttl" is expiresAt plus this). Default 30 days.
func WithInvitationRetention(d time.Duration) Option {
	return func(s *Store) { s.retention = d }
}

// New returns a Store that keeps its records in table through api,
// normally a *dynamodb.Client.
func New(api API, table string, opts ...Option) *Store {
	s := &Store{api: api, table: aws.String(table), retention: DefaultInvitationRetention}
	for _, o := range opts {
		o(s)
	}
	return s
}

type item = map[string]types.AttributeValue

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func key(pk, sk string) item { return item{PartitionKey: str(pk), SortKey: str(sk)} }

func getS(it item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getTime(it item, name string) time.Time {
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		return time.Time{}
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func getList(it item, name string) []string {
	v, ok := it[name].(*types.AttributeValueMemberL)
	if !ok || len(v.Value) == 0 {
		return nil
	}
	out := make([]string, 0, len(v.Value))
	for _, e := range v.Value {
		if s, ok := e.(*types.AttributeValueMemberS); ok {
			out = append(out, s.Value)
		}
	}
	return out
}

// putOptional sets name to a string or time only when it has a value, so
// that absent fields read back as zero values.
func putOptional(it item, name string, v any) {
	switch v := v.(type) {
	case string:
		if v != "" {
			it[name] = str(v)
		}
	case time.Time:
		if !v.IsZero() {
			it[name] = num(v.Unix())
		}
	case []string:
		if len(v) > 0 {
			l := make([]types.AttributeValue, len(v))
			for i, s := range v {
				l[i] = str(s)
			}
			it[name] = &types.AttributeValueMemberL{Value: l}
		}
	}
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func (s *Store) get(ctx context.Context, k item) (item, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

func (s *Store) wrap(op string, err error) error {
	return fmt.Errorf("dynamostore: %s (table %s): %w", op, aws.ToString(s.table), err)
}

// ---- tenants ----

const (
	tenantPrefix = "TENANT#"
	tenantSort   = "TENANT"
)

// GetTenant implements tenancy.Reader.
func (s *Store) GetTenant(ctx context.Context, id string) (tenancy.Tenant, error) {
	it, err := s.get(ctx, key(tenantPrefix+id, tenantSort))
	if err != nil {
		return tenancy.Tenant{}, s.wrap("get tenant", err)
	}
	if it == nil {
		return tenancy.Tenant{}, fmt.Errorf("dynamostore: tenant %q: %w", id, tenancy.ErrNotFound)
	}
	return tenancy.Tenant{
		ID:           getS(it, "tenantId"),
		Name:         getS(it, "name"),
		Organisation: getS(it, "organisation"),
		Status:       tenancy.Status(getS(it, "status")),
		Tier:         getS(it, "tier"),
	}, nil
}

// PutTenant implements tenancy.Store.
func (s *Store) PutTenant(ctx context.Context, t tenancy.Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	it := key(tenantPrefix+t.ID, tenantSort)
	it["type"] = str("tenant")
	it["tenantId"] = str(t.ID)
	it["status"] = str(string(t.Status))
	putOptional(it, "name", t.Name)
	putOptional(it, "organisation", t.Organisation)
	putOptional(it, "tier", t.Tier)
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: it}); err != nil {
		return s.wrap("put tenant", err)
	}
	return nil
}

// ---- memberships ----

// Memberships live under the user's sub. The prefix is new (earlier
// versions keyed them by user name under "USER#"), so that records keyed
// by a reusable user name are never read as a sub's.
const (
	subPrefix    = "SUB#"
	memberPrefix = "MEMBER#"
)

// ListMemberships implements tenancy.Reader.
func (s *Store) ListMemberships(ctx context.Context, sub string) ([]tenancy.Membership, error) {
	if sub == "" {
		return []tenancy.Membership{}, nil
	}
	in := &dynamodb.QueryInput{
		TableName:              s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: item{
			":pk":     str(subPrefix + sub),
			":prefix": str(memberPrefix),
		},
		ConsistentRead: aws.Bool(true),
	}
	var out []tenancy.Membership
	for {
		page, err := s.api.Query(ctx, in)
		if err != nil {
			return nil, s.wrap("list memberships", err)
		}
		for _, it := range page.Items {
			out = append(out, tenancy.Membership{
				Sub:          getS(it, "sub"),
				UserName:     getS(it, "userName"),
				TenantID:     getS(it, "tenantId"),
				Role:         getS(it, "role"),
				Permissions:  getList(it, "permissions"),
				InvitationID: getS(it, "invitationId"),
				CreatedAt:    getTime(it, "createdAt"),
			})
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	if out == nil {
		out = []tenancy.Membership{}
	}
	return out, nil
}

// PutMembership implements tenancy.Store.
func (s *Store) PutMembership(ctx context.Context, m tenancy.Membership) error {
	if err := m.Validate(); err != nil {
		return err
	}
	it := key(subPrefix+m.Sub, memberPrefix+m.TenantID)
	it["type"] = str("membership")
	it["sub"] = str(m.Sub)
	putOptional(it, "userName", m.UserName)
	it["tenantId"] = str(m.TenantID)
	it["role"] = str(m.Role)
	putOptional(it, "permissions", m.Permissions)
	putOptional(it, "invitationId", m.InvitationID)
	putOptional(it, "createdAt", m.CreatedAt)
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: it}); err != nil {
		return s.wrap("put membership", err)
	}
	return nil
}

// ---- clients ----

const (
	clientPrefix = "CLIENT#"
	clientSort   = "CLIENT"
)

// GetClient implements tenancy.Reader.
func (s *Store) GetClient(ctx context.Context, clientID string) (tenancy.Client, error) {
	it, err := s.get(ctx, key(clientPrefix+clientID, clientSort))
	if err != nil {
		return tenancy.Client{}, s.wrap("get app client", err)
	}
	if it == nil {
		return tenancy.Client{}, fmt.Errorf("dynamostore: app client %q: %w", clientID, tenancy.ErrNotFound)
	}
	return tenancy.Client{ClientID: getS(it, "clientId"), TenantID: getS(it, "tenantId"), Role: getS(it, "role")}, nil
}

// PutClient implements tenancy.Store.
func (s *Store) PutClient(ctx context.Context, c tenancy.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	it := key(clientPrefix+c.ClientID, clientSort)
	it["type"] = str("client")
	it["clientId"] = str(c.ClientID)
	it["tenantId"] = str(c.TenantID)
	it["role"] = str(c.Role)
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: it}); err != nil {
		return s.wrap("put app client", err)
	}
	return nil
}

// ---- invitations ----

const (
	invitePrefix = "INVITE#"
	inviteSort   = "INVITE"
)

func invitationFrom(it item) tenancy.Invitation {
	return tenancy.Invitation{
		ID:        getS(it, "invitationId"),
		TenantID:  getS(it, "tenantId"),
		Role:      getS(it, "role"),
		Email:     getS(it, "invitedEmail"),
		CreatedAt: getTime(it, "createdAt"),
		ExpiresAt: getTime(it, "expiresAt"),
		UsedBy:    getS(it, "usedBy"),
		UsedAt:    getTime(it, "usedAt"),
		BoundSub:  getS(it, "boundSub"),
	}
}

// CreateInvitation implements tenancy.Store.
func (s *Store) CreateInvitation(ctx context.Context, inv tenancy.Invitation) error {
	if err := inv.Validate(); err != nil {
		return err
	}
	it := key(invitePrefix+inv.ID, inviteSort)
	it["type"] = str("invitation")
	it["invitationId"] = str(inv.ID)
	it["tenantId"] = str(inv.TenantID)
	it["role"] = str(inv.Role)
	it["invitedEmail"] = str(inv.Email)
	it["expiresAt"] = num(inv.ExpiresAt.Unix())
	it[TTLAttribute] = num(inv.ExpiresAt.Add(s.retention).Unix())
	putOptional(it, "createdAt", inv.CreatedAt)
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           s.table,
		Item:                it,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	switch {
	case isConditionFailed(err):
		return fmt.Errorf("dynamostore: create invitation: %w", tenancy.ErrExists)
	case err != nil:
		return s.wrap("create invitation", err)
	}
	return nil
}

// GetInvitation implements tenancy.Store.
func (s *Store) GetInvitation(ctx context.Context, id string) (tenancy.Invitation, error) {
	it, err := s.get(ctx, key(invitePrefix+id, inviteSort))
	if err != nil {
		return tenancy.Invitation{}, s.wrap("get invitation", err)
	}
	if it == nil {
		return tenancy.Invitation{}, fmt.Errorf("dynamostore: invitation: %w", tenancy.ErrNotFound)
	}
	return invitationFrom(it), nil
}

// ClaimInvitation implements tenancy.Store with one conditional
// UpdateItem. When the condition fails, a consistent read of the item
// tells why; if the item changed in between so that no reason applies,
// the claim is tried again.
func (s *Store) ClaimInvitation(ctx context.Context, c tenancy.InvitationClaim) (tenancy.Invitation, error) {
	if c.UserName == "" || len(c.UserName) > 256 {
		return tenancy.Invitation{}, errors.New("dynamostore: claim invitation: invalid user name: must be 1 to 256 bytes")
	}
	email := tenancy.NormalizeEmail(c.Email)
	// The record that lets post confirmation find the claim by user name;
	// kept as long as the invitation (its TTL), and written first: one
	// whose claim then fails is harmless, as binding checks the holder.
	rec := key(claimPrefix+c.UserName, invitePrefix+c.InvitationID)
	rec["type"] = str("claim")
	rec["invitationId"] = str(c.InvitationID)
	rec["userName"] = str(c.UserName)
	rec["claimedAt"] = num(c.Now.Unix())
	rec[TTLAttribute] = num(c.Now.Add(s.retention).Unix())
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: s.table, Item: rec, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}); err != nil && !isConditionFailed(err) {
		return tenancy.Invitation{}, s.wrap("record claim", err)
	}
	const attempts = 3
	for range attempts {
		out, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:           s.table,
			Key:                 key(invitePrefix+c.InvitationID, inviteSort),
			UpdateExpression:    aws.String("SET usedBy = :user, usedAt = if_not_exists(usedAt, :now)"),
			ConditionExpression: aws.String("attribute_exists(pk) AND expiresAt > :now AND invitedEmail = :email AND (attribute_not_exists(usedBy) OR usedBy = :user)"),
			ExpressionAttributeValues: item{
				":user":  str(c.UserName),
				":now":   num(c.Now.Unix()),
				":email": str(email),
			},
			ReturnValues: types.ReturnValueAllNew,
		})
		if err == nil {
			return invitationFrom(out.Attributes), nil
		}
		if !isConditionFailed(err) {
			return tenancy.Invitation{}, s.wrap("claim invitation", err)
		}
		it, err := s.get(ctx, key(invitePrefix+c.InvitationID, inviteSort))
		if err != nil {
			return tenancy.Invitation{}, s.wrap("read invitation after a refused claim", err)
		}
		if it == nil {
			return tenancy.Invitation{}, fmt.Errorf("dynamostore: claim invitation: %w", tenancy.ErrNotFound)
		}
		if err := invitationFrom(it).Check(email, c.UserName, c.Now); err != nil {
			return tenancy.Invitation{}, fmt.Errorf("dynamostore: claim invitation: %w", err)
		}
	}
	// Released and claimed again between every attempt: say it is taken.
	return tenancy.Invitation{}, fmt.Errorf("dynamostore: claim invitation: %w", tenancy.ErrInvitationUsed)
}

// ReleaseInvitation implements tenancy.Store.
func (s *Store) ReleaseInvitation(ctx context.Context, id, userName string) error {
	if userName == "" {
		return nil
	}
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 s.table,
		Key:                       key(invitePrefix+id, inviteSort),
		UpdateExpression:          aws.String("REMOVE usedBy, usedAt"),
		ConditionExpression:       aws.String("usedBy = :user AND attribute_not_exists(boundSub)"),
		ExpressionAttributeValues: item{":user": str(userName)},
	})
	if err != nil && !isConditionFailed(err) {
		return s.wrap("release invitation", err)
	}
	return nil
}

// claimPrefix keys the records of claims by user name.
const claimPrefix = "CLAIM#"

// ClaimedInvitations implements tenancy.Store: one Query of the user
// name's claim records, then a consistent read of each invitation.
func (s *Store) ClaimedInvitations(ctx context.Context, userName string) ([]tenancy.Invitation, error) {
	if userName == "" {
		return nil, nil
	}
	in := &dynamodb.QueryInput{
		TableName:              s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: item{
			":pk":     str(claimPrefix + userName),
			":prefix": str(invitePrefix),
		},
		ConsistentRead: aws.Bool(true),
	}
	type claimed struct {
		id string
		at time.Time
	}
	var cs []claimed
	for {
		page, err := s.api.Query(ctx, in)
		if err != nil {
			return nil, s.wrap("list claimed invitations", err)
		}
		for _, it := range page.Items {
			cs = append(cs, claimed{getS(it, "invitationId"), getTime(it, "claimedAt")})
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	slices.SortFunc(cs, func(a, b claimed) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	var out []tenancy.Invitation
	for _, c := range cs {
		it, err := s.get(ctx, key(invitePrefix+c.id, inviteSort))
		if err != nil {
			return nil, s.wrap("read claimed invitation", err)
		}
		if it != nil {
			out = append(out, invitationFrom(it))
		}
	}
	return out, nil
}

// BindInvitation implements tenancy.Store with one conditional
// UpdateItem; when the condition fails, a consistent read tells why.
func (s *Store) BindInvitation(ctx context.Context, b tenancy.InvitationBinding) (tenancy.Invitation, error) {
	if err := b.Validate(); err != nil {
		return tenancy.Invitation{}, err
	}
	k := key(invitePrefix+b.InvitationID, inviteSort)
	out, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           s.table,
		Key:                 k,
		UpdateExpression:    aws.String("SET boundSub = :sub"),
		ConditionExpression: aws.String("attribute_exists(pk) AND usedBy = :user AND invitedEmail = :email AND (attribute_not_exists(boundSub) OR boundSub = :sub)"),
		ExpressionAttributeValues: item{
			":user":  str(b.UserName),
			":sub":   str(b.Sub),
			":email": str(tenancy.NormalizeEmail(b.Email)),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if err == nil {
		return invitationFrom(out.Attributes), nil
	}
	if !isConditionFailed(err) {
		return tenancy.Invitation{}, s.wrap("bind invitation", err)
	}
	it, err := s.get(ctx, k)
	if err != nil {
		return tenancy.Invitation{}, s.wrap("read invitation after a refused binding", err)
	}
	if it == nil {
		return tenancy.Invitation{}, fmt.Errorf("dynamostore: bind invitation: %w", tenancy.ErrNotFound)
	}
	if err := invitationFrom(it).CheckBinding(b); err != nil {
		return tenancy.Invitation{}, fmt.Errorf("dynamostore: bind invitation: %w", err)
	}
	// Bound by a concurrent call in between: say it is taken.
	return tenancy.Invitation{}, fmt.Errorf("dynamostore: bind invitation: %w", tenancy.ErrInvitationUsed)
}

// ---- link audit ----

const (
	linkPrefix     = "LINK#"
	identityPrefix = "IDENTITY#"
)

func linkFrom(it item) tenancy.Link {
	return tenancy.Link{
		ProviderName:    getS(it, "providerName"),
		ProviderUserID:  getS(it, "providerUserId"),
		UserPoolID:      getS(it, "userPoolId"),
		DestinationUser: getS(it, "destinationUser"),
		LinkedAt:        getTime(it, "linkedAt"),
	}
}

// RecordLink implements tenancy.Store.
func (s *Store) RecordLink(ctx context.Context, l tenancy.Link) (tenancy.Link, error) {
	if err := l.Validate(); err != nil {
		return tenancy.Link{}, err
	}
	k := key(linkPrefix+l.ProviderName, identityPrefix+l.ProviderUserID)
	it := key(linkPrefix+l.ProviderName, identityPrefix+l.ProviderUserID)
	it["type"] = str("link")
	it["providerName"] = str(l.ProviderName)
	it["providerUserId"] = str(l.ProviderUserID)
	it["destinationUser"] = str(l.DestinationUser)
	putOptional(it, "userPoolId", l.UserPoolID)
	putOptional(it, "linkedAt", l.LinkedAt)
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           s.table,
		Item:                it,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	switch {
	case err == nil:
		return linkFrom(it), nil
	case !isConditionFailed(err):
		return tenancy.Link{}, s.wrap("record link", err)
	}
	old, err := s.get(ctx, k)
	if err != nil {
		return tenancy.Link{}, s.wrap("read existing link", err)
	}
	if old == nil {
		return tenancy.Link{}, s.wrap("record link", errors.New("the record existed and then vanished; try again"))
	}
	return linkFrom(old), nil
}

// GetLink implements tenancy.Store.
func (s *Store) GetLink(ctx context.Context, providerName, providerUserID string) (tenancy.Link, error) {
	it, err := s.get(ctx, key(linkPrefix+providerName, identityPrefix+providerUserID))
	if err != nil {
		return tenancy.Link{}, s.wrap("get link", err)
	}
	if it == nil {
		return tenancy.Link{}, fmt.Errorf("dynamostore: link %s/%s: %w", providerName, strings.Repeat("*", min(len(providerUserID), 4)), tenancy.ErrNotFound)
	}
	return linkFrom(it), nil
}
