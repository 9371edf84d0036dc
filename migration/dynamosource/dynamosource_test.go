package dynamosource_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
)

// newTable creates a legacy user table keyed by "username".
func newTable(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	client := dynamotest.Client(t)
	name := dynamotest.CreateTable(t, client, dynamotest.KeyedTable("legacy-users", "username"))
	return client, name
}

// cheapTiming keeps not-found checks fast in tests.
func cheapTiming(t *testing.T) string {
	h, err := passhash.Hash(passhash.Bcrypt, "x", migrationtest.CheapParams())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestConformance(t *testing.T) {
	migrationtest.TestSource(t, func(t *testing.T, users []migration.LegacyUser) migration.Source {
		client, table := newTable(t)
		// A page size below the user count makes Enumerate paginate.
		src, err := dynamosource.New(dynamosource.Config{Client: client, Table: table, PageSize: 1, TimingHash: cheapTiming(t)})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if err := src.Put(context.Background(), u); err != nil {
				t.Fatal(err)
			}
		}
		return src
	})
}

func TestAttributeTypesAndProjection(t *testing.T) {
	client, table := newTable(t)
	ctx := context.Background()
	h, _ := passhash.Hash(passhash.PBKDF2SHA256, "pw-SECRET-1", migrationtest.CheapParams())
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"username":       &types.AttributeValueMemberS{Value: "alice"},
		"password_hash":  &types.AttributeValueMemberS{Value: h},
		"email":          &types.AttributeValueMemberS{Value: "alice@example.com"},
		"email_verified": &types.AttributeValueMemberBOOL{Value: true},
		"age":            &types.AttributeValueMemberN{Value: "42"},
		"roles":          &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"name":           &types.AttributeValueMemberS{Value: "Alice"}, // a reserved word
		"internal_note":  &types.AttributeValueMemberS{Value: "do not migrate"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := dynamosource.New(dynamosource.Config{Client: client, Table: table, TimingHash: cheapTiming(t)})
	u, err := src.Authenticate(ctx, "alice", "pw-SECRET-1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"email": "alice@example.com", "email_verified": "true", "age": "42", "name": "Alice", "internal_note": "do not migrate"}
	if len(u.Fields) != len(want) {
		t.Fatalf("fields %v, want %v (sets skipped, key and hash left out)", map[string]string(u.Fields), want)
	}
	for k, v := range want {
		if u.Fields[k] != v {
			t.Fatalf("field %s = %q, want %q", k, u.Fields[k], v)
		}
	}

	// With Fields, other attributes are not even read.
	src, _ = dynamosource.New(dynamosource.Config{Client: client, Table: table, Fields: []string{"email", "name"}, TimingHash: cheapTiming(t)})
	u, err = src.Authenticate(ctx, "alice", "pw-SECRET-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Fields) != 2 || u.Fields["name"] != "Alice" || u.Fields["email"] == "" {
		t.Fatalf("projected fields %v", map[string]string(u.Fields))
	}
	for u, err := range src.Enumerate(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Fields) != 2 {
			t.Fatalf("projected scan fields %v", map[string]string(u.Fields))
		}
	}
}

func TestItemWithoutHashIsRefused(t *testing.T) {
	client, table := newTable(t)
	ctx := context.Background()
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"username": &types.AttributeValueMemberS{Value: "ghost"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := dynamosource.New(dynamosource.Config{Client: client, Table: table, TimingHash: cheapTiming(t)})
	_, err = src.Authenticate(ctx, "ghost", "pw-SECRET-1")
	if !errors.Is(err, migration.ErrWrongPassword) || !strings.Contains(err.Error(), "password_hash") {
		t.Fatalf("err = %v", err)
	}
}

func TestNotFoundTakesAsLongAsAWrongPassword(t *testing.T) {
	client, table := newTable(t)
	slow, err := passhash.Hash(passhash.PBKDF2SHA256, "x", passhash.Params{PBKDF2Iterations: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	src, err := dynamosource.New(dynamosource.Config{Client: client, Table: table, TimingHash: slow})
	if err != nil {
		t.Fatal(err)
	}
	// The fastest of three verifications, so that one slow run on a busy
	// machine does not raise the bar.
	verify := time.Hour
	for range 3 {
		start := time.Now()
		_ = passhash.Verify(slow, "pw-SECRET-1")
		verify = min(verify, time.Since(start))
	}

	start := time.Now()
	_, err = src.Authenticate(context.Background(), "nobody", "pw-SECRET-1")
	notFound := time.Since(start)
	if !errors.Is(err, migration.ErrNotFound) {
		t.Fatal(err)
	}
	// A lower bound only: not-found must include one verification of the
	// stand-in hash (half of one, to allow for noise).
	if notFound < verify/2 {
		t.Fatalf("not-found answered in %v, one verification takes %v: the stand-in hash was not verified", notFound, verify)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := dynamosource.New(dynamosource.Config{}); err == nil {
		t.Fatal("no client and table accepted")
	}
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1"})
	if _, err := dynamosource.New(dynamosource.Config{Client: client, Table: "t", TimingHash: "plain"}); err == nil {
		t.Fatal("a TimingHash in no known format accepted")
	}
	src, _ := dynamosource.New(dynamosource.Config{Client: client, Table: "t"})
	if err := src.Put(context.Background(), migration.LegacyUser{PasswordHash: triggers.Secret("x")}); err == nil {
		t.Fatal("Put without a username succeeded")
	}
}

func TestTableErrorsAreFailures(t *testing.T) {
	client := dynamotest.Client(t)
	src, _ := dynamosource.New(dynamosource.Config{Client: client, Table: "no-such-table-" + time.Now().Format("150405.000")})
	_, err := src.Authenticate(context.Background(), "alice", "pw-SECRET-1")
	if err == nil || errors.Is(err, migration.ErrNotFound) || errors.Is(err, migration.ErrWrongPassword) {
		t.Fatalf("missing table: %v, want a failure", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("error holds the password: %v", err)
	}
	for _, err := range src.Enumerate(context.Background()) {
		if err == nil {
			t.Fatal("scan of a missing table yielded a user")
		}
	}
}

// TestNamesDynamoDBCannotHoldAreNotFound: a name longer than a partition
// key may be (2048 bytes) or empty is not in the table; asking DynamoDB
// would fail with a ValidationException, an outage any caller could
// repeat to open the breaker (issue 12, item 5).
func TestNamesDynamoDBCannotHoldAreNotFound(t *testing.T) {
	client, table := newTable(t)
	src, err := dynamosource.New(dynamosource.Config{Client: client, Table: table, TimingHash: cheapTiming(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{strings.Repeat("é", 1025), ""} {
		if _, err := src.Authenticate(ctx, name, "pw-SECRET-1"); !errors.Is(err, migration.ErrNotFound) {
			t.Errorf("Authenticate(%d bytes): %v", len(name), err)
		}
		if _, err := src.Lookup(ctx, name); !errors.Is(err, migration.ErrNotFound) {
			t.Errorf("Lookup(%d bytes): %v", len(name), err)
		}
	}
}

// TestStandInFollowsTheTable: without TimingHash the stand-in takes the
// algorithm and cost of the stored hashes verified; with it, never.
func TestStandInFollowsTheTable(t *testing.T) {
	client, table := newTable(t)
	h, err := passhash.Hash(passhash.PBKDF2SHA256, "pw-SECRET-1", passhash.Params{PBKDF2Iterations: 1234})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fixed := cheapTiming(t)
	for _, timing := range []string{"", fixed} {
		src, err := dynamosource.New(dynamosource.Config{Client: client, Table: table, TimingHash: timing})
		if err != nil {
			t.Fatal(err)
		}
		if err := src.Put(ctx, migration.LegacyUser{Username: "u", PasswordHash: triggers.Secret(h)}); err != nil {
			t.Fatal(err)
		}
		if _, err := src.Authenticate(ctx, "u", "pw-SECRET-wrong"); !errors.Is(err, migration.ErrWrongPassword) {
			t.Fatal(err)
		}
		want, _ := passhash.Cost(h)
		if timing != "" {
			want, _ = passhash.Cost(timing)
		}
		if got := src.TimingCost(); got != want {
			t.Errorf("TimingHash %q: stand-in %q, want %q", timing, got, want)
		}
	}
}
