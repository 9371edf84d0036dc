package cognitogroups

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// API is the part of the Cognito user-pool API client that Lookup uses;
// *cognitoidentityprovider.Client implements it.
type API interface {
	AdminListGroupsForUser(ctx context.Context, in *cognitoidentityprovider.AdminListGroupsForUserInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.AdminListGroupsForUserOutput, error)
}

// Lookup looks groups up with the AdminListGroupsForUser API
// ("AdminListGroupsForUser", Amazon Cognito API Reference: up to 60 groups
// a page, NextToken for the next). The function needs the
// cognito-idp:AdminListGroupsForUser permission on the user pool. It
// implements customauth.GroupLookup.
type Lookup struct {
	Client API
}

// maxGroupPages bounds the pages read for one user; Cognito returns up to
// 60 groups a page.
const maxGroupPages = 10

// UserGroups implements customauth.GroupLookup.
func (c Lookup) UserGroups(ctx context.Context, userPoolID, userName string) ([]string, error) {
	var groups []string
	in := &cognitoidentityprovider.AdminListGroupsForUserInput{
		UserPoolId: aws.String(userPoolID),
		Username:   aws.String(userName),
		Limit:      aws.Int32(60),
	}
	for range maxGroupPages {
		out, err := c.Client.AdminListGroupsForUser(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("customauth: list the user's groups: %w", err)
		}
		for _, g := range out.Groups {
			groups = append(groups, aws.ToString(g.GroupName))
		}
		if aws.ToString(out.NextToken) == "" {
			return groups, nil
		}
		in.NextToken = out.NextToken
	}
	return nil, fmt.Errorf("customauth: list the user's groups: more than %d pages; use a custom attribute for the condition instead", maxGroupPages)
}
