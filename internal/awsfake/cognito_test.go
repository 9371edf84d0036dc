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

// A pool's settings document: DescribeUserPool returns it, UpdateUserPool
// resets what it leaves out; groups of a user page at PageSize.
func TestCognitoSettingsAndGroupsOfAUser(t *testing.T) {
	p := awsfake.NewCognitoPoolSettings(t, map[string]any{"Id": awsfake.CognitoPoolID, "Name": "pool", "MfaConfiguration": "ON", "DeletionProtection": "ACTIVE"})
	c, ctx, id := p.Client(), context.Background(), aws.String(awsfake.CognitoPoolID)
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil || d.UserPool.MfaConfiguration != types.UserPoolMfaTypeOn || aws.ToString(d.UserPool.Name) != "pool" {
		t.Fatalf("DescribeUserPool = %+v, %v", d, err)
	}
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, MfaConfiguration: types.UserPoolMfaTypeOptional}); err != nil {
		t.Fatal(err)
	}
	if s := p.Settings(); s["MfaConfiguration"] != "OPTIONAL" || s["DeletionProtection"] != nil || s["Name"] != "pool" {
		t.Fatalf("after UpdateUserPool: %v", s)
	}
	if ops := p.Ops(); len(ops) != 2 || ops[0] != "DescribeUserPool" || ops[1] != "UpdateUserPool" {
		t.Fatalf("Ops = %v", ops)
	}

	p.AddUser(awsfake.CognitoUser{Username: "jdoe", Enabled: true})
	p.AddGroup(awsfake.CognitoGroup{Name: "a"}, "jdoe")
	p.AddGroup(awsfake.CognitoGroup{Name: "b"})
	p.AddGroup(awsfake.CognitoGroup{Name: "c"}, "jdoe")
	p.PageSize(1)
	var got []string
	in := &cip.AdminListGroupsForUserInput{UserPoolId: id, Username: aws.String("jdoe")}
	for pages := 0; ; pages++ {
		out, err := c.AdminListGroupsForUser(ctx, in)
		if err != nil || pages > 3 {
			t.Fatalf("AdminListGroupsForUser: %v after %d pages", err, pages)
		}
		for _, g := range out.Groups {
			got = append(got, aws.ToString(g.GroupName))
		}
		if in.NextToken = out.NextToken; in.NextToken == nil {
			break
		}
	}
	if len(got) != 2 || got[0] != "a" || got[1] != "c" {
		t.Fatalf("groups of jdoe = %v", got)
	}
	_, err = c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: id, Username: aws.String("nobody")})
	var unf *types.UserNotFoundException
	if !errors.As(err, &unf) {
		t.Fatalf("groups of a missing user = %v, want UserNotFoundException", err)
	}
	p.SetCSVHeader([]string{"cognito:username", "email"})
	h, err := c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: id})
	if err != nil || len(h.CSVHeader) != 2 || h.CSVHeader[1] != "email" {
		t.Fatalf("GetCSVHeader = %+v, %v", h, err)
	}
}
