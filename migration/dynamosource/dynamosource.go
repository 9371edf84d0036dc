package dynamosource

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
)

// API is the part of *dynamodb.Client that a Source uses (GetItem, PutItem
// and Scan).
type API interface {
	ddbstore.Getter
	ddbstore.Putter
	ddbstore.Scanner
}

// Defaults of Config.
const (
	DefaultKeyAttribute  = "username"
	DefaultHashAttribute = "password_hash"
	DefaultPageSize      = 500
)

// Config configures a Source.
type Config struct {
	Client        API    // required
	Table         string // required
	KeyAttribute  string // partition key, a string; default DefaultKeyAttribute
	HashAttribute string // default DefaultHashAttribute
	// Fields, if set, are the only attributes read as fields (a projection,
	// so other attributes never leave the table). Default: all but the
	// key and the hash.
	Fields []string
	// ConsistentRead makes GetItem strongly consistent.
	ConsistentRead bool
	// PageSize is the Limit of each Scan page; default DefaultPageSize.
	PageSize int32
	// TimingHash is verified when a user is not found, so that not-found
	// costs what a wrong password costs. Give a hash with the algorithm
	// and cost most of the table uses (passhash.Like of one of its hashes
	// makes one). Default: the stand-in follows the table: it is made like
	// the hash of the last user whose password was verified (same
	// algorithm and cost, see passhash.Like), and is bcrypt at its default
	// cost only until a first user has been seen.
	TimingHash string
}

// Source is a migration.Source and migration.Enumerator over a DynamoDB
// table. It is safe for concurrent use.
type Source struct {
	cfg        Config
	t          ddbstore.Table[API]
	projection *string
	names      map[string]string

	mu          sync.Mutex
	timingHash  string // the stand-in verified for unknown users
	timingCost  string // passhash.Cost of timingHash
	timingFixed bool   // Config.TimingHash was given: never follow the table
}

var (
	_ migration.Source     = (*Source)(nil)
	_ migration.Enumerator = (*Source)(nil)
)

// New checks cfg and returns a Source.
func New(cfg Config) (*Source, error) {
	t, err := ddbstore.Open("dynamosource: New: Config", cfg.Client, cfg.Table)
	if err != nil {
		return nil, err
	}
	cfg.KeyAttribute = cmp.Or(cfg.KeyAttribute, DefaultKeyAttribute)
	cfg.HashAttribute = cmp.Or(cfg.HashAttribute, DefaultHashAttribute)
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	s := &Source{cfg: cfg, t: t}
	if cfg.TimingHash != "" {
		if err := passhash.Check(cfg.TimingHash); err != nil {
			return nil, fmt.Errorf("dynamosource: TimingHash: %w", err)
		}
		s.timingHash, s.timingFixed = cfg.TimingHash, true
		s.timingCost, _ = passhash.Cost(cfg.TimingHash)
	}
	if len(cfg.Fields) > 0 {
		// Attribute names may be reserved words: always use placeholders.
		s.names = map[string]string{"#k": cfg.KeyAttribute, "#h": cfg.HashAttribute}
		expr := "#k, #h"
		for i, f := range cfg.Fields {
			p := "#f" + strconv.Itoa(i)
			s.names[p] = f
			expr += ", " + p
		}
		s.projection = &expr
	}
	return s, nil
}

// maxKeyBytes is the longest partition key value DynamoDB stores ("Service,
// account, and table quotas in Amazon DynamoDB": partition key length 1 to
// 2048 bytes). A longer or empty name cannot be in the table; asking for it
// would fail with a ValidationException, which a caller could repeat to
// make the legacy source look down.
const maxKeyBytes = 2048

func (s *Source) get(ctx context.Context, username string) (map[string]types.AttributeValue, error) {
	if username == "" || len(username) > maxKeyBytes {
		return nil, migration.ErrNotFound
	}
	out, err := s.t.API.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                s.t.TableName(),
		Key:                      ddbstore.Item{s.cfg.KeyAttribute: ddbstore.S(username)},
		ConsistentRead:           aws.Bool(s.cfg.ConsistentRead),
		ProjectionExpression:     s.projection,
		ExpressionAttributeNames: s.names,
	})
	if err != nil {
		return nil, s.t.Wrap("read user", err)
	}
	if len(out.Item) == 0 {
		return nil, migration.ErrNotFound
	}
	return out.Item, nil
}

// Authenticate implements migration.Source.
func (s *Source) Authenticate(ctx context.Context, username string, password triggers.Secret) (*migration.User, error) {
	item, err := s.get(ctx, username)
	if errors.Is(err, migration.ErrNotFound) {
		_ = passhash.Verify(s.standIn(), password.Reveal())
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	hash, ok := item[s.cfg.HashAttribute].(*types.AttributeValueMemberS)
	if !ok || hash.Value == "" {
		_ = passhash.Verify(s.standIn(), password.Reveal())
		return nil, fmt.Errorf("%w (the user's item has no string attribute %s)", migration.ErrWrongPassword, s.cfg.HashAttribute)
	}
	err = migration.VerifyPassword(triggers.Secret(hash.Value), password)
	s.follow(hash.Value)
	if err != nil {
		return nil, err
	}
	return s.user(item), nil
}

// standIn returns the hash verified for an unknown user, made on first use.
func (s *Source) standIn() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timingHash == "" {
		h, _ := passhash.Hash(passhash.Bcrypt, "cognitrig timing stand-in", passhash.Params{})
		s.timingHash = h
		s.timingCost, _ = passhash.Cost(h)
	}
	return s.timingHash
}

// follow makes the stand-in like a user's stored hash when its algorithm or
// cost differs from the stand-in's (one extra hash computation, paid by this
// sign-in of an existing user, never by an unknown one). A hash that cannot
// be verified is ignored.
func (s *Source) follow(stored string) {
	if s.timingFixed {
		return
	}
	cost, err := passhash.Cost(stored)
	if err != nil {
		return
	}
	s.mu.Lock()
	same := cost == s.timingCost
	s.mu.Unlock()
	if same {
		return
	}
	h, err := passhash.Like(stored)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.timingHash, s.timingCost = h, cost
	s.mu.Unlock()
}

// TimingCost describes the algorithm and cost of the stand-in hash that
// unknown users are verified against (passhash.Cost), or "" before one was
// needed; for operators and tests. It never includes a hash.
func (s *Source) TimingCost() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.timingCost
}

// Lookup implements migration.Source.
func (s *Source) Lookup(ctx context.Context, username string) (*migration.User, error) {
	item, err := s.get(ctx, username)
	if err != nil {
		return nil, err
	}
	return s.user(item), nil
}

// Enumerate implements migration.Enumerator with a paginated Scan.
func (s *Source) Enumerate(ctx context.Context) iter.Seq2[*migration.User, error] {
	return func(yield func(*migration.User, error) bool) {
		in := &dynamodb.ScanInput{
			TableName:                s.t.TableName(),
			Limit:                    aws.Int32(s.cfg.PageSize),
			ProjectionExpression:     s.projection,
			ExpressionAttributeNames: s.names,
		}
		for out, err := range ddbstore.ScanPages(ctx, s.t, "scan", in) {
			if err != nil {
				yield(nil, err)
				return
			}
			for _, item := range out.Items {
				if _, ok := item[s.cfg.KeyAttribute].(*types.AttributeValueMemberS); !ok {
					continue // not a user item
				}
				if !yield(s.user(item), nil) {
					return
				}
			}
		}
	}
}

// Put writes a legacy user, for seeding tables in tests and tools; a
// migration only reads. Fields are written as strings.
func (s *Source) Put(ctx context.Context, u migration.LegacyUser) error {
	if u.Username == "" {
		return errors.New("dynamosource: user has no username")
	}
	item := ddbstore.Item{
		s.cfg.KeyAttribute:  ddbstore.S(u.Username),
		s.cfg.HashAttribute: ddbstore.S(u.PasswordHash.Reveal()),
	}
	for k, v := range u.Fields {
		if k != s.cfg.KeyAttribute && k != s.cfg.HashAttribute && v != "" {
			item[k] = ddbstore.S(v)
		}
	}
	_, err := s.t.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.t.TableName(), Item: item})
	return s.t.Wrap("put user", err)
}

// user converts an item, leaving out the key and the hash.
func (s *Source) user(item map[string]types.AttributeValue) *migration.User {
	u := &migration.User{Fields: triggers.Attributes{}}
	if k, ok := item[s.cfg.KeyAttribute].(*types.AttributeValueMemberS); ok {
		u.Username = k.Value
	}
	for name, av := range item {
		if name == s.cfg.KeyAttribute || name == s.cfg.HashAttribute {
			continue
		}
		switch v := av.(type) {
		case *types.AttributeValueMemberS:
			u.Fields[name] = v.Value
		case *types.AttributeValueMemberN:
			u.Fields[name] = v.Value
		case *types.AttributeValueMemberBOOL:
			u.Fields[name] = strconv.FormatBool(v.Value)
		}
	}
	return u
}
