// Package cognitogroups looks a user's groups up with the Amazon Cognito
// API, for the group conditions of package customauth
// (customauth.Sequence.Groups, customauth.InGroup):
//
//	customauth.Sequence{Groups: cognitogroups.Lookup{Client: cognitoidentityprovider.NewFromConfig(cfg)}, ...}
//
// It is apart from package customauth so that a function whose sequence
// has no group condition does not link the Cognito client.
package cognitogroups
