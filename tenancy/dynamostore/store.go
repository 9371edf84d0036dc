package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
	"github.com/cognitrig/cognitrig/tenancy"
)

// API is the part of *dynamodb.Client that Store uses (GetItem, PutItem,
// UpdateItem and Query).
type API interface {
	ddbstore.Getter
	ddbstore.Putter
	ddbstore.Updater
	ddbstore.Querier
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
	return ddbstore.TableDefinition(name, PartitionKey, SortKey)
}

// Store is a tenancy.Store in one DynamoDB table (see the package
// documentation for its design). It is safe for concurrent use.
type Store struct {
	t         ddbstore.Table[API]
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
// normally a *dynamodb.Client. A nil api or an empty table name is an
// error.
func New(api API, table string, opts ...Option) (*Store, error) {
	t, err := ddbstore.Open("dynamostore: New", api, table)
	if err != nil {
		return nil, err
	}
	s := &Store{t: t, retention: DefaultInvitationRetention}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

type item = ddbstore.Item

func str(v string) types.AttributeValue { return ddbstore.S(v) }
func num(v int64) types.AttributeValue  { return ddbstore.N(v) }
func getS(it item, name string) string  { return ddbstore.Str(it, name) }

func key(pk, sk string) item { return item{PartitionKey: str(pk), SortKey: str(sk)} }

func getTime(it item, name string) time.Time {
	n, ok := ddbstore.Int(it, name)
	if !ok {
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

func (s *Store) get(ctx context.Context, op string, k item) (item, error) {
	return ddbstore.Get(ctx, s.t, op, k)
}

func (s *Store) put(ctx context.Context, op string, it item) error {
	_, err := s.t.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.t.TableName(), Item: it})
	return s.t.Wrap(op, err)
}

// create puts it unless an item with its key exists: ok is false then.
func (s *Store) create(ctx context.Context, op string, it item) (ok bool, err error) {
	_, ok, err = ddbstore.Cond(s.t.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: s.t.TableName(), Item: it, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}))
	return ok, s.t.Wrap(op, err)
}

// list calls each with what partition pk holds under a sort key prefix.
func (s *Store) list(ctx context.Context, op, pk, prefix string, each func(item)) error {
	in := &dynamodb.QueryInput{
		TableName:              s.t.TableName(),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: item{
			":pk":     str(pk),
			":prefix": str(prefix),
		},
		ConsistentRead: aws.Bool(true),
	}
	for page, err := range ddbstore.QueryPages(ctx, s.t, op, in) {
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			each(it)
		}
	}
	return nil
}

// ---- tenants ----

const (
	tenantPrefix = "TENANT#"
	tenantSort   = "TENANT"
)

// GetTenant implements tenancy.Reader.
func (s *Store) GetTenant(ctx context.Context, id string) (tenancy.Tenant, error) {
	it, err := s.get(ctx, "get tenant", key(tenantPrefix+id, tenantSort))
	if err != nil {
		return tenancy.Tenant{}, err
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
	return s.put(ctx, "put tenant", it)
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
	var out []tenancy.Membership
	err := s.list(ctx, "list memberships", subPrefix+sub, memberPrefix, func(it item) {
		out = append(out, tenancy.Membership{
			Sub:          getS(it, "sub"),
			UserName:     getS(it, "userName"),
			TenantID:     getS(it, "tenantId"),
			Role:         getS(it, "role"),
			Permissions:  getList(it, "permissions"),
			InvitationID: getS(it, "invitationId"),
			CreatedAt:    getTime(it, "createdAt"),
		})
	})
	if err != nil {
		return nil, err
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
	return s.put(ctx, "put membership", it)
}

// ---- clients ----

const (
	clientPrefix = "CLIENT#"
	clientSort   = "CLIENT"
)

// GetClient implements tenancy.Reader.
func (s *Store) GetClient(ctx context.Context, clientID string) (tenancy.Client, error) {
	it, err := s.get(ctx, "get app client", key(clientPrefix+clientID, clientSort))
	if err != nil {
		return tenancy.Client{}, err
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
	return s.put(ctx, "put app client", it)
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
	ok, err := s.create(ctx, "create invitation", it)
	if err == nil && !ok {
		return fmt.Errorf("dynamostore: create invitation: %w", tenancy.ErrExists)
	}
	return err
}

// GetInvitation implements tenancy.Store.
func (s *Store) GetInvitation(ctx context.Context, id string) (tenancy.Invitation, error) {
	it, err := s.get(ctx, "get invitation", key(invitePrefix+id, inviteSort))
	if err != nil {
		return tenancy.Invitation{}, err
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
	if _, err := s.create(ctx, "record claim", rec); err != nil {
		return tenancy.Invitation{}, err
	}
	const attempts = 3
	for range attempts {
		out, ok, err := ddbstore.Cond(s.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:           s.t.TableName(),
			Key:                 key(invitePrefix+c.InvitationID, inviteSort),
			UpdateExpression:    aws.String("SET usedBy = :user, usedAt = if_not_exists(usedAt, :now)"),
			ConditionExpression: aws.String("attribute_exists(pk) AND expiresAt > :now AND invitedEmail = :email AND (attribute_not_exists(usedBy) OR usedBy = :user)"),
			ExpressionAttributeValues: item{
				":user":  str(c.UserName),
				":now":   num(c.Now.Unix()),
				":email": str(email),
			},
			ReturnValues: types.ReturnValueAllNew,
		}))
		if err != nil {
			return tenancy.Invitation{}, s.t.Wrap("claim invitation", err)
		}
		if ok {
			return invitationFrom(out.Attributes), nil
		}
		it, err := s.get(ctx, "read invitation after a refused claim", key(invitePrefix+c.InvitationID, inviteSort))
		if err != nil {
			return tenancy.Invitation{}, err
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
	_, _, err := ddbstore.Cond(s.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 s.t.TableName(),
		Key:                       key(invitePrefix+id, inviteSort),
		UpdateExpression:          aws.String("REMOVE usedBy, usedAt"),
		ConditionExpression:       aws.String("usedBy = :user AND attribute_not_exists(boundSub)"),
		ExpressionAttributeValues: item{":user": str(userName)},
	}))
	return s.t.Wrap("release invitation", err)
}

// claimPrefix keys the records of claims by user name.
const claimPrefix = "CLAIM#"

// ClaimedInvitations implements tenancy.Store: one Query of the user
// name's claim records, then a consistent read of each invitation.
func (s *Store) ClaimedInvitations(ctx context.Context, userName string) ([]tenancy.Invitation, error) {
	if userName == "" {
		return nil, nil
	}
	type claimed struct {
		id string
		at time.Time
	}
	var cs []claimed
	err := s.list(ctx, "list claimed invitations", claimPrefix+userName, invitePrefix, func(it item) {
		cs = append(cs, claimed{getS(it, "invitationId"), getTime(it, "claimedAt")})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cs, func(a, b claimed) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	var out []tenancy.Invitation
	for _, c := range cs {
		it, err := s.get(ctx, "read claimed invitation", key(invitePrefix+c.id, inviteSort))
		if err != nil {
			return nil, err
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
	out, ok, err := ddbstore.Cond(s.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           s.t.TableName(),
		Key:                 k,
		UpdateExpression:    aws.String("SET boundSub = :sub"),
		ConditionExpression: aws.String("attribute_exists(pk) AND usedBy = :user AND invitedEmail = :email AND (attribute_not_exists(boundSub) OR boundSub = :sub)"),
		ExpressionAttributeValues: item{
			":user":  str(b.UserName),
			":sub":   str(b.Sub),
			":email": str(tenancy.NormalizeEmail(b.Email)),
		},
		ReturnValues: types.ReturnValueAllNew,
	}))
	if err != nil {
		return tenancy.Invitation{}, s.t.Wrap("bind invitation", err)
	}
	if ok {
		return invitationFrom(out.Attributes), nil
	}
	it, err := s.get(ctx, "read invitation after a refused binding", k)
	if err != nil {
		return tenancy.Invitation{}, err
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
	ok, err := s.create(ctx, "record link", it)
	switch {
	case err != nil:
		return tenancy.Link{}, err
	case ok:
		return linkFrom(it), nil
	}
	old, err := s.get(ctx, "read existing link", k)
	if err != nil {
		return tenancy.Link{}, err
	}
	if old == nil {
		return tenancy.Link{}, s.t.Wrap("record link", errors.New("the record existed and then vanished; try again"))
	}
	return linkFrom(old), nil
}

// GetLink implements tenancy.Store.
func (s *Store) GetLink(ctx context.Context, providerName, providerUserID string) (tenancy.Link, error) {
	it, err := s.get(ctx, "get link", key(linkPrefix+providerName, identityPrefix+providerUserID))
	if err != nil {
		return tenancy.Link{}, err
	}
	if it == nil {
		return tenancy.Link{}, fmt.Errorf("dynamostore: link %s/%s: %w", providerName, strings.Repeat("*", min(len(providerUserID), 4)), tenancy.ErrNotFound)
	}
	return linkFrom(it), nil
}
