package tenancy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
)

func TestInOrder(t *testing.T) {
	var ran []string
	step := func(name string, err error) func(context.Context, *triggers.PostConfirmationEvent) error {
		return func(context.Context, *triggers.PostConfirmationEvent) error {
			ran = append(ran, name)
			return err
		}
	}
	failed := errors.New("failed")
	h := inOrder(step("a", nil), step("b", failed), step("c", nil))
	if err := h(context.Background(), &triggers.PostConfirmationEvent{}); !errors.Is(err, failed) || strings.Join(ran, ",") != "a,b" {
		t.Fatalf("err %v, ran %v: want b's error, and c not run", err, ran)
	}
	ran = nil
	if err := inOrder(step("a", nil), step("c", nil))(context.Background(), &triggers.PostConfirmationEvent{}); err != nil || strings.Join(ran, ",") != "a,c" {
		t.Fatalf("err %v, ran %v", err, ran)
	}
}
