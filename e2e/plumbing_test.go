package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestPlumbing proves the chain cognito-local → Invoke API → bootstrap →
// response → cognito-local with the triggers-only handler set in
// handlers/all: a sign-up auto-confirmed by PreSignUp, then a sign-in whose
// ID token carries the claim that PreTokenGeneration (version "0") added.
func TestPlumbing(t *testing.T) {
	s := startStack(t,
		[]function{{name: "all", handler: "all", env: []string{"COGNITRIG_AUTOCONFIRM_DOMAIN=example.com"}}},
		map[string]string{"PreSignUp": "all", "PreTokenGeneration": "all", "PostAuthentication": "all"})
	ctx := context.Background()
	up, err := s.cognito.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(s.clientID), Username: aws.String("plumber@example.com"), Password: aws.String("Correct-Horse-9!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("plumber@example.com")}},
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if !up.UserConfirmed {
		t.Fatal("PreSignUp's autoConfirmUser did not reach cognito-local")
	}
	if _, err := s.cognito.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(s.poolID), Username: aws.String("plumber@example.com"),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:tenantId"), Value: aws.String("acme")}},
	}); err != nil {
		t.Fatalf("AdminUpdateUserAttributes: %v", err)
	}
	auth, err := s.cognito.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(s.clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "plumber@example.com", "PASSWORD": "Correct-Horse-9!"},
	})
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	id := claims(t, aws.ToString(auth.AuthenticationResult.IdToken))
	if id["tenant_id"] != "acme" {
		t.Errorf("ID token claims %v lack tenant_id=acme", id)
	}
	// A refusal reaches the client with the function's message.
	_, err = s.cognito.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(s.clientID), Username: aws.String("mallory@example.com"), Password: aws.String("Correct-Horse-9!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:tenantId"), Value: aws.String("evil")}},
	})
	if err == nil || !strings.Contains(err.Error(), "set by invitation only") {
		t.Errorf("refused sign-up: %v", err)
	}
}
