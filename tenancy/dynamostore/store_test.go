package dynamostore_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
	"github.com/cognitrig/cognitrig/tenancy/internal/tabletest"
	"github.com/cognitrig/cognitrig/tenancy/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tenancy.Store {
		s, _, _ := tabletest.Store(t)
		return s
	})
}

// The table holds the token's hash only, and the TTL attribute that the
// CDK stack enables.
func TestInvitationItem(t *testing.T) {
	s, client, table := tabletest.Store(t)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	inv, token, err := tenancy.NewInvitation("acme", "admin", "jane@example.com", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	items := dynamotest.Items(t, client, table)
	if len(items) != 1 {
		t.Fatalf("%d items, want 1", len(items))
	}
	it := items[0]
	for name, v := range it {
		if sv, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(sv.Value, token.Reveal()) {
			t.Errorf("attribute %s holds the invitation token in plain text", name)
		}
	}
	want := map[string]string{
		"pk":           "INVITE#" + inv.ID,
		"sk":           "INVITE",
		"type":         "invitation",
		"invitedEmail": "jane@example.com",
	}
	for name, v := range want {
		if got, _ := it[name].(*types.AttributeValueMemberS); got == nil || got.Value != v {
			t.Errorf("%s = %v, want %q", name, it[name], v)
		}
	}
	ttl, _ := it["ttl"].(*types.AttributeValueMemberN)
	exp, _ := it["expiresAt"].(*types.AttributeValueMemberN)
	if ttl == nil || exp == nil {
		t.Fatalf("ttl = %v, expiresAt = %v, want numbers", it["ttl"], it["expiresAt"])
	}
	if want := now.Add(time.Hour + 30*24*time.Hour).Unix(); ttl.Value != strconv.FormatInt(want, 10) {
		t.Errorf("ttl = %s, want expiresAt + 30 days = %d", ttl.Value, want)
	}
}

// A store failure is reported with what failed and where, and wraps the
// SDK's error.
func TestMissingTable(t *testing.T) {
	_, client, table := tabletest.Store(t)
	s, err := dynamostore.New(client, table+"-absent")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.GetTenant(context.Background(), "acme")
	if err == nil || errors.Is(err, tenancy.ErrNotFound) {
		t.Fatalf("GetTenant on a missing table = %v, want a store error that is not ErrNotFound", err)
	}
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || !strings.Contains(err.Error(), "get tenant") || !strings.Contains(err.Error(), table+"-absent") {
		t.Fatalf("error %q does not say what failed, where, or wrap the SDK error", err)
	}
}
