// Package cognitocsv holds what backup and migration/importcsv both know
// of the Cognito user-import CSV: its two special columns, the header of a
// pool with standard attributes only, and the GetCSVHeader call. Feature
// packages do not import each other (ARCHITECTURE.md, "Rules"), so the
// shared facts live here once.
//
// AWS: "Importing users from a CSV file" and "Creating the user import
// .csv file" (Amazon Cognito Developer Guide); "GetCSVHeader" (Amazon
// Cognito User Pools API Reference).
package cognitocsv

import (
	"context"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// The columns of the user-import CSV that are not user attributes.
const (
	ColumnUsername   = "cognito:username"
	ColumnMFAEnabled = "cognito:mfa_enabled"
)

// StandardHeader returns, in a new slice, the header that GetCSVHeader
// returns for a pool with only standard attributes, as the Amazon Cognito
// Developer Guide shows it; a pool with custom attributes lists them too.
func StandardHeader() []string {
	return []string{
		"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
		"zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at",
		ColumnMFAEnabled, ColumnUsername,
	}
}

// HeaderAPI is the GetCSVHeader call; *cognitoidentityprovider.Client
// implements it.
type HeaderAPI interface {
	GetCSVHeader(ctx context.Context, in *cip.GetCSVHeaderInput, opts ...func(*cip.Options)) (*cip.GetCSVHeaderOutput, error)
}
