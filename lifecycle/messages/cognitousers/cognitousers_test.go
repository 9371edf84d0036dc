package cognitousers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/lifecycle/messages/cognitousers"
)

func TestDirectory(t *testing.T) {
	pool := awsfake.NewCognitoPool(t)
	pool.AddUser(awsfake.CognitoUser{Username: "jdoe", Enabled: true, Attributes: map[string]string{"email": "jdoe@example.com"}})
	d := &cognitousers.Directory{Client: pool.Client()}
	attrs, err := d.UserAttributes(context.Background(), pool.ID, "jdoe")
	if err != nil || attrs["email"] != "jdoe@example.com" {
		t.Fatalf("%v, %v", attrs, err)
	}
	pool.FailNext("AdminGetUser", "NotAuthorizedException", "denied")
	if _, err := d.UserAttributes(context.Background(), pool.ID, "jdoe"); err == nil || !strings.Contains(err.Error(), "cognito-idp:AdminGetUser") {
		t.Errorf("a refused call: %v, want the permission named", err)
	}
	if _, err := (&cognitousers.Directory{}).UserAttributes(context.Background(), pool.ID, "jdoe"); err == nil {
		t.Error("no client: no error")
	}
}
