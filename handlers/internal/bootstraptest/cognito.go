package bootstraptest

import (
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
)

// The user of the recorded events, as the local Cognito API of Cognito
// holds it.
const (
	Username = "jdoe"
	Email    = "jdoe@example.com"
	Phone    = "+15555550100"
	Sub      = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
)

// Cognito starts a local Cognito user-pool API (awsfake.Cognito) holding
// the pool of the recorded events, awsfake.CognitoPoolID, with their
// confirmed user jdoe (verified email, phone number and sub as above):
// the user an account-takeover sender looks up (AdminGetUser) and a
// federated sign-up with the same email is linked to (ListUsers,
// AdminLinkProviderForUser). Give its URL to the binary as
// AWSEnv(map[string]string{"COGNITO_IDENTITY_PROVIDER": pool.URL}).
func Cognito(t testing.TB) *awsfake.CognitoPool {
	t.Helper()
	pool := awsfake.NewCognitoPool(t)
	pool.AddUser(awsfake.CognitoUser{Username: Username, Enabled: true, Attributes: map[string]string{
		"email": Email, "email_verified": "true", "phone_number": Phone, "sub": Sub}})
	return pool
}
