// Package cognitousers looks users up with the Amazon Cognito API, for the
// account-takeover warnings of the custom senders of package
// lifecycle/messages (messages.SendersConfig.Users):
//
//	messages.SendersConfig{Users: &cognitousers.Directory{Client: cognitoidentityprovider.NewFromConfig(cfg)}, ...}
//
// It is apart from package messages so that a function with only the
// CustomMessage trigger does not link the Cognito client.
package cognitousers
