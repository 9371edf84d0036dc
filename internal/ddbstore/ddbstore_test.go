package ddbstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
)

type api interface {
	ddbstore.Getter
	ddbstore.Putter
	ddbstore.Querier
}

func TestOpenRefusesAMissingClientOrTable(t *testing.T) {
	client := dynamodb.New(dynamodb.Options{})
	for _, c := range []struct {
		name   string
		client api
		table  string
		want   string
	}{
		{"nil interface", nil, "t", "client is nil"},
		{"nil pointer", (*dynamodb.Client)(nil), "t", "client is nil"},
		{"empty table", client, "", "table name is empty"},
	} {
		if _, err := ddbstore.Open("pkg: New", c.client, c.table); err == nil || !strings.HasPrefix(err.Error(), "pkg: New: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Open = %v; want an error from pkg: New saying %q", c.name, err, c.want)
		}
	}
	tab, err := ddbstore.Open[api]("pkg: New", client, "arn:aws:dynamodb:us-east-1:123456789012:table/t")
	if err != nil {
		t.Fatalf("a client and a table ARN: %v", err)
	}
	if tab.Name() != "arn:aws:dynamodb:us-east-1:123456789012:table/t" || aws.ToString(tab.TableName()) != tab.Name() {
		t.Errorf("Name = %q", tab.Name())
	}
}

func TestWrapNamesPackageOperationAndTable(t *testing.T) {
	tab, err := ddbstore.Open[api]("records: NewDynamoStore", dynamodb.New(dynamodb.Options{}), "challenges")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Wrap("put record", nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
	cause := errors.New("boom")
	err = tab.Wrap("put record", cause)
	if !errors.Is(err, cause) || err.Error() != "records: put record in table challenges: boom" {
		t.Errorf("Wrap = %q", err)
	}
	err = tab.Errorf("item %s is odd: %w", "x", cause)
	if !errors.Is(err, cause) || err.Error() != "records: table challenges: item x is odd: boom" {
		t.Errorf("Errorf = %q", err)
	}
}

func TestCond(t *testing.T) {
	out := &dynamodb.PutItemOutput{}
	if got, ok, err := ddbstore.Cond(out, nil); got != out || !ok || err != nil {
		t.Errorf("success: %v %v %v", got, ok, err)
	}
	ccf := fmt.Errorf("op: %w", &types.ConditionalCheckFailedException{})
	if got, ok, err := ddbstore.Cond(out, ccf); got != nil || ok || err != nil {
		t.Errorf("failed condition: %v %v %v; want nil, false, nil", got, ok, err)
	}
	other := errors.New("throttled")
	if got, ok, err := ddbstore.Cond(out, other); got != nil || ok || !errors.Is(err, other) {
		t.Errorf("error: %v %v %v", got, ok, err)
	}
	if !ddbstore.ConditionFailed(ccf) || ddbstore.ConditionFailed(other) || ddbstore.ConditionFailed(nil) {
		t.Error("ConditionFailed")
	}
}

func TestTableDefinition(t *testing.T) {
	one := ddbstore.TableDefinition("t", "pk", "")
	if aws.ToString(one.TableName) != "t" || len(one.KeySchema) != 1 || len(one.AttributeDefinitions) != 1 ||
		aws.ToString(one.KeySchema[0].AttributeName) != "pk" || one.KeySchema[0].KeyType != types.KeyTypeHash ||
		one.AttributeDefinitions[0].AttributeType != types.ScalarAttributeTypeS || one.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("partition key only: %+v", one)
	}
	two := ddbstore.TableDefinition("t", "pk", "sk")
	if len(two.KeySchema) != 2 || aws.ToString(two.KeySchema[1].AttributeName) != "sk" || two.KeySchema[1].KeyType != types.KeyTypeRange ||
		len(two.AttributeDefinitions) != 2 || two.AttributeDefinitions[1].AttributeType != types.ScalarAttributeTypeS {
		t.Errorf("with a sort key: %+v", two)
	}
}

func TestValuesAndExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	item := ddbstore.Item{"s": ddbstore.S("x"), "n": ddbstore.N(-7), "bad": &types.AttributeValueMemberN{Value: "1.5"}, "exp": ddbstore.N(now.Unix() + 1)}
	if ddbstore.Str(item, "s") != "x" || ddbstore.Str(item, "n") != "" || ddbstore.Str(item, "absent") != "" {
		t.Error("Str")
	}
	if v, ok := ddbstore.Int(item, "n"); v != -7 || !ok {
		t.Error("Int")
	}
	for _, name := range []string{"bad", "s", "absent"} {
		if _, ok := ddbstore.Int(item, name); ok {
			t.Errorf("Int(%s) ok", name)
		}
	}
	if ddbstore.CeilUnix(now) != now.Unix() || ddbstore.CeilUnix(now.Add(time.Nanosecond)) != now.Unix()+1 {
		t.Error("CeilUnix")
	}
	// TTL deletion lags: a read decides by the attribute, to the second.
	if !ddbstore.Live(item, "exp", now) || ddbstore.Live(item, "exp", now.Add(time.Second)) {
		t.Error("Live at the expiry second")
	}
	if ddbstore.Live(item, "bad", now) || ddbstore.Live(nil, "exp", now) {
		t.Error("an item without a readable TTL is live")
	}
}

// Against the DynamoDB-API server: a conditional put, a consistent read
// and every page of a query.
func TestOnTheServer(t *testing.T) {
	client := dynamotest.Client(t)
	ctx := context.Background()
	name := dynamotest.CreateTable(t, client, ddbstore.TableDefinition("ddbstore", "pk", "sk"))
	tab, err := ddbstore.Open[api]("pkg: New", client, name)
	if err != nil {
		t.Fatal(err)
	}
	put := func(sk string) bool {
		t.Helper()
		_, ok, err := ddbstore.Cond(tab.API.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: tab.TableName(), Item: ddbstore.Item{"pk": ddbstore.S("p"), "sk": ddbstore.S(sk)},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for i := range 5 {
		if !put(fmt.Sprint(i)) {
			t.Fatalf("put %d refused", i)
		}
	}
	if put("3") {
		t.Fatal("a second put of the same key succeeded")
	}
	it, err := ddbstore.Get(ctx, tab, "get", ddbstore.Item{"pk": ddbstore.S("p"), "sk": ddbstore.S("3")})
	if err != nil || ddbstore.Str(it, "sk") != "3" {
		t.Fatalf("Get = %v, %v", it, err)
	}
	if it, err := ddbstore.Get(ctx, tab, "get", ddbstore.Item{"pk": ddbstore.S("p"), "sk": ddbstore.S("9")}); err != nil || it != nil {
		t.Fatalf("Get of an absent item = %v, %v", it, err)
	}
	in := &dynamodb.QueryInput{
		TableName: tab.TableName(), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: ddbstore.Item{":pk": ddbstore.S("p")}, Limit: aws.Int32(2),
	}
	pages, items := 0, 0
	for page, err := range ddbstore.QueryPages(ctx, tab, "list", in) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		items += len(page.Items)
	}
	if items != 5 || pages < 3 {
		t.Errorf("QueryPages: %d items in %d pages; want 5 in 3 or more", items, pages)
	}
	missing, _ := ddbstore.Open[api]("pkg: New", client, name+"-absent")
	_, err = ddbstore.Get(ctx, missing, "get thing", ddbstore.Item{"pk": ddbstore.S("p"), "sk": ddbstore.S("1")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || !strings.HasPrefix(err.Error(), "pkg: get thing in table "+name+"-absent: ") {
		t.Errorf("error on a missing table = %v", err)
	}
	in = &dynamodb.QueryInput{
		TableName: missing.TableName(), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: ddbstore.Item{":pk": ddbstore.S("p")},
	}
	for _, err := range ddbstore.QueryPages(ctx, missing, "list", in) {
		if !errors.As(err, &rnf) {
			t.Errorf("QueryPages on a missing table = %v", err)
		}
	}
}
