package customauth

import (
	"context"
	"slices"

	"github.com/cognitrig/cognitrig/triggers"
)

// Facts are what conditions and choosers may look at: the parts of the
// request that the three triggers share, and the user's groups if the
// Sequence has a GroupLookup.
type Facts struct {
	Attributes     triggers.Attributes
	ClientMetadata triggers.Metadata
	Groups         []string
	UserNotFound   bool
}

// InGroup reports whether the user is in group.
func (f Facts) InGroup(group string) bool { return slices.Contains(f.Groups, group) }

// Condition decides whether a conditional step is part of the flow. It must
// be a pure function of the Facts: Define and Create evaluate it separately
// and must agree.
type Condition func(Facts) bool

// Chooser names which of a step's challenges to issue (see
// Step.Alternatives). Like Condition, it must be a pure function.
type Chooser func(Facts) string

// AttributeEquals is true when the user attribute name has value.
func AttributeEquals(name, value string) Condition {
	return func(f Facts) bool { v, ok := f.Attributes[name]; return ok && v == value }
}

// AttributeVerified is true when the attribute's _verified flag is "true",
// e.g. AttributeVerified("phone_number").
func AttributeVerified(name string) Condition {
	return func(f Facts) bool { return f.Attributes.Verified(name) }
}

// InGroup is true when the user is in group. It needs Sequence.Groups.
func InGroup(group string) Condition {
	return func(f Facts) bool { return f.InGroup(group) }
}

// ClientMetadataEquals is true when clientMetadata[key] is value. The client
// controls clientMetadata: use it to choose between equally strong options,
// never to skip a step that protects the account.
func ClientMetadataEquals(key, value string) Condition {
	return func(f Facts) bool { v, ok := f.ClientMetadata[key]; return ok && v == value }
}

// Not negates a condition.
func Not(c Condition) Condition { return func(f Facts) bool { return !c(f) } }

// ByClientMetadata chooses the challenge named by clientMetadata[key], e.g.
// {"channel": "SMS_OTP"}; when the key is absent or names no challenge of
// the step, the step's Challenge is issued.
func ByClientMetadata(key string) Chooser {
	return func(f Facts) string { return f.ClientMetadata[key] }
}

// PreferVerified chooses the first challenge whose attribute is verified:
// PreferVerified("email", "EMAIL_OTP", "phone_number", "SMS_OTP") sends the
// code by email if the email is verified, else by SMS if the phone number
// is. A trailing attribute without a name is ignored.
func PreferVerified(pairs ...string) Chooser {
	return func(f Facts) string {
		for i := 0; i+1 < len(pairs); i += 2 {
			if f.Attributes.Verified(pairs[i]) {
				return pairs[i+1]
			}
		}
		return ""
	}
}

// GroupLookup returns the groups of a user; the custom-auth trigger events
// do not carry them. Package customauth/cognitogroups implements it with
// the Cognito API; it is a package of its own so that a function without
// group conditions does not link the Cognito client.
type GroupLookup interface {
	UserGroups(ctx context.Context, userPoolID, userName string) ([]string, error)
}
