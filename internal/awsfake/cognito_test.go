package awsfake_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitrig/cognitrig/internal/awsfake"
)

// The fake answers the real SDK client, errors included.
func TestCognitoWireProtocol(t *testing.T) {
	s := awsfake.NewCognitoPool(t)
	s.AddUser(awsfake.CognitoUser{Username: "jdoe", Attributes: map[string]string{"email": "jdoe@example.com"}, Status: "CONFIRMED", Enabled: true})
	c := s.Client()
	ctx := context.Background()

	_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(awsfake.CognitoPoolID), Username: aws.String("jdoe"), GroupName: aws.String("g")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("add to a missing group = %v, want ResourceNotFoundException", err)
	}
	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(awsfake.CognitoPoolID), GroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(awsfake.CognitoPoolID), GroupName: aws.String("g")})
	var gee *types.GroupExistsException
	if !errors.As(err, &gee) {
		t.Fatalf("second CreateGroup = %v, want GroupExistsException", err)
	}
	_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(awsfake.CognitoPoolID), Username: aws.String("nobody"),
		UserAttributes: []types.AttributeType{{Name: aws.String("x"), Value: aws.String("y")}}})
	var unf *types.UserNotFoundException
	if !errors.As(err, &unf) {
		t.Fatalf("update of a missing user = %v, want UserNotFoundException", err)
	}
	out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(awsfake.CognitoPoolID), Filter: aws.String(`email = "jdoe@example.com"`)})
	if err != nil || len(out.Users) != 1 || aws.ToString(out.Users[0].Username) != "jdoe" || out.Users[0].UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("ListUsers = %+v, %v", out, err)
	}
	s.FailNext("ListUsers", "TooManyRequestsException", "Rate exceeded")
	_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(awsfake.CognitoPoolID)})
	var tmr *types.TooManyRequestsException
	if !errors.As(err, &tmr) || s.Calls("ListUsers") != 2 {
		t.Fatalf("injected failure = %v after %d calls", err, s.Calls("ListUsers"))
	}
	_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_OTHER")})
	if !errors.As(err, &rnf) {
		t.Fatalf("ListUsers of another pool = %v, want ResourceNotFoundException", err)
	}
}
