package lease_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/ddbstore/lease"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
)

type claim int

var errLost = errors.New("lost")

func rules() lease.Rules[string] {
	ok := func(string, string, time.Duration) error { return nil }
	return lease.Rules[string]{
		Idle: time.Hour, Lost: errLost, CheckBegin: ok, CheckFinish: ok,
		CheckRelease: func(string, string) error { return nil },
		Key:          func(k string) string { return k },
		Hint:         func(string) string { return "the key" },
	}
}

func TestName(t *testing.T) {
	for c, want := range map[claim]string{claim(lease.Claimed): "claimed", claim(lease.Done): "finished", claim(lease.Busy): "busy", 0: "invalid", 9: "invalid"} {
		if got := lease.Name(c, "finished"); got != want {
			t.Errorf("Name(%d) = %q, want %q", c, got, want)
		}
	}
}

// A DynamoDB failure names the operation and the table through the
// caller's hint, never the key, which holds a user name.
func TestDynamoErrorsNeverHoldTheKey(t *testing.T) {
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, lease.TableDefinition("lease")) + "-absent"
	s, err := lease.NewDynamo(func(s lease.Store[string, claim]) lease.Store[string, claim] { return s },
		rules(), "pkg: New", client, table, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, key := context.Background(), "us-east-1_TEST#hook#alice-SECRET"
	_, err1 := s.Begin(ctx, key, "owner", time.Second)
	err2 := s.Finish(ctx, key, "owner", time.Second)
	err3 := s.Release(ctx, key, "owner")
	for i, err := range []error{err1, err2, err3} {
		if err == nil || !strings.HasPrefix(err.Error(), "pkg: ") || !strings.Contains(err.Error(), "the key") || !strings.Contains(err.Error(), " in table "+table+": ") {
			t.Errorf("operation %d: error %v; want one naming the key by its hint and the table", i, err)
		}
		if err != nil && strings.Contains(err.Error(), "alice") {
			t.Errorf("operation %d: the user is in the error: %v", i, err)
		}
	}
}
