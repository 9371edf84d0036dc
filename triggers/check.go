package triggers

import (
	"fmt"
	"slices"
	"strings"
)

// Claims that a pre token generation trigger cannot add, override or
// suppress, from the "Excluded claims" of the Amazon Cognito Developer Guide
// (pre token generation Lambda trigger). Cognito silently drops such changes;
// CheckResponse refuses them so the mistake shows in tests. Claims with the
// "cognito:" prefix are Cognito's own: groups and roles change through the
// group override, not through claims.
var (
	reservedIDTokenClaims = []string{
		"acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username",
		"exp", "iat", "identities", "iss", "jti", "nbf", "nonce", "origin_jti",
		"sub", "token_use",
	}
	reservedAccessTokenClaims = []string{
		"acr", "amr", "aud", "auth_time", "azp", "client_id", "device_key",
		"event_id", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce",
		"origin_jti", "scope", "sub", "token_use", "username", "version",
	}
	// ID-token claims whose value may not be a JSON object.
	noObjectIDTokenClaims = []string{"address", "email_verified", "phone_number_verified", "updated_at"}
)

// ReservedClaim reports why a claim cannot be changed in the ID token
// (accessToken false) or access token (accessToken true), or "" if it can.
func ReservedClaim(name string, accessToken bool) string {
	list := reservedIDTokenClaims
	if accessToken {
		list = reservedAccessTokenClaims
	}
	if slices.Contains(list, name) {
		return fmt.Sprintf("claim %q cannot be changed by a trigger", name)
	}
	if strings.HasPrefix(name, "cognito:") {
		return fmt.Sprintf("claim %q is Cognito's own; change groups and roles through GroupOverrideDetails", name)
	}
	return ""
}

// CheckResponse checks a handler's response against Cognito's rules and
// returns a *ResponseError that lists every problem, or nil. The Router runs
// it after every handler unless WithoutResponseChecks is set.
func CheckResponse(ev Event) error {
	var p []string
	switch e := ev.(type) {
	case *PreSignUpEvent:
		p = checkPreSignUp(e)
	case *DefineAuthChallengeEvent:
		p = checkDefine(e)
	case *CreateAuthChallengeEvent:
		if e.Request.ChallengeName == ChallengeCustom && e.Response.ChallengeMetadata == "" && len(e.Response.PublicChallengeParameters) == 0 {
			p = append(p, "a CUSTOM_CHALLENGE has neither public parameters nor challengeMetadata: the client cannot tell what to answer; set PublicChallengeParameters")
		}
	case *PreTokenGenerationV1Event:
		p = checkPreTokenV1(e)
	case *PreTokenGenerationV2Event:
		p = checkPreTokenV2(e)
	case *UserMigrationEvent:
		p = checkMigration(e)
	case *CustomMessageEvent:
		p = checkCustomMessage(e)
	}
	if len(p) == 0 {
		return nil
	}
	return &ResponseError{Source: ev.Common().TriggerSource, Problems: p}
}

func checkPreSignUp(e *PreSignUpEvent) []string {
	var p []string
	if e.Response.AutoVerifyEmail && e.Request.UserAttributes["email"] == "" {
		p = append(p, "autoVerifyEmail is set but the user has no email attribute; set it only when email is present")
	}
	if e.Response.AutoVerifyPhone && e.Request.UserAttributes["phone_number"] == "" {
		p = append(p, "autoVerifyPhone is set but the user has no phone_number attribute; set it only when phone_number is present")
	}
	if e.TriggerSource == PreSignUpAdminCreateUser && e.Response.AutoConfirmUser {
		p = append(p, "autoConfirmUser has no effect for PreSignUp_AdminCreateUser: an administrator-created user is confirmed by the temporary password flow; leave it false")
	}
	return p
}

func checkDefine(e *DefineAuthChallengeEvent) []string {
	r := e.Response
	var p []string
	switch {
	case r.IssueTokens && r.FailAuthentication:
		p = append(p, "issueTokens and failAuthentication are both true; set exactly one, or neither with a challengeName")
	case r.IssueTokens && r.ChallengeName != "":
		p = append(p, fmt.Sprintf("issueTokens is true and challengeName is %q; issuing tokens ends the flow, so leave challengeName empty", r.ChallengeName))
	case !r.IssueTokens && !r.FailAuthentication && r.ChallengeName == "":
		p = append(p, "no decision: set challengeName for the next challenge, or issueTokens, or failAuthentication")
	}
	if r.IssueTokens && e.Request.UserNotFound {
		p = append(p, "issueTokens is true for a user that does not exist (userNotFound); fail the authentication instead")
	}
	return p
}

func checkClaims(where string, claims map[string]any, suppress []string, accessToken bool) []string {
	var p []string
	for _, name := range sortedKeys(claims) {
		if why := ReservedClaim(name, accessToken); why != "" {
			p = append(p, fmt.Sprintf("%s.claimsToAddOrOverride: %s", where, why))
		}
		if !accessToken && slices.Contains(noObjectIDTokenClaims, name) {
			if _, isObject := claims[name].(map[string]any); isObject {
				p = append(p, fmt.Sprintf("%s.claimsToAddOrOverride: claim %q must not be a JSON object in the ID token", where, name))
			}
		}
	}
	for _, name := range suppress {
		if why := ReservedClaim(name, accessToken); why != "" {
			p = append(p, fmt.Sprintf("%s.claimsToSuppress: %s", where, why))
		}
	}
	return p
}

func checkPreTokenV1(e *PreTokenGenerationV1Event) []string {
	d := e.Response.ClaimsOverrideDetails
	if d == nil {
		return nil
	}
	claims := make(map[string]any, len(d.ClaimsToAddOrOverride))
	for k, v := range d.ClaimsToAddOrOverride {
		claims[k] = v
	}
	return checkClaims("claimsOverrideDetails", claims, d.ClaimsToSuppress, false)
}

func checkPreTokenV2(e *PreTokenGenerationV2Event) []string {
	d := e.Response.ClaimsAndScopeOverrideDetails
	if d == nil {
		return nil
	}
	var p []string
	if id := d.IDTokenGeneration; id != nil {
		if e.TriggerSource == TokenGenerationClientCredentials && (len(id.ClaimsToAddOrOverride) > 0 || len(id.ClaimsToSuppress) > 0) {
			p = append(p, "idTokenGeneration is set for a client-credentials grant, which issues no ID token; customise accessTokenGeneration only")
		}
		p = append(p, checkClaims("idTokenGeneration", id.ClaimsToAddOrOverride, id.ClaimsToSuppress, false)...)
	}
	if at := d.AccessTokenGeneration; at != nil {
		p = append(p, checkClaims("accessTokenGeneration", at.ClaimsToAddOrOverride, at.ClaimsToSuppress, true)...)
		for _, s := range at.ScopesToAdd {
			if s == "" || strings.ContainsAny(s, " \t\n") {
				p = append(p, fmt.Sprintf("accessTokenGeneration.scopesToAdd: scope %q is empty or has white space; scopes are single words such as tenant:acme:read", s))
			}
		}
	}
	return p
}

func checkMigration(e *UserMigrationEvent) []string {
	r := e.Response
	var p []string
	switch r.FinalUserStatus {
	case "", UserStatusConfirmed, UserStatusResetRequired:
	default:
		p = append(p, fmt.Sprintf("finalUserStatus %q is not CONFIRMED or RESET_REQUIRED", clip(r.FinalUserStatus)))
	}
	switch r.MessageAction {
	case "", MessageActionSuppress, MessageActionResend:
	default:
		p = append(p, fmt.Sprintf("messageAction %q is not SUPPRESS or RESEND", clip(r.MessageAction)))
	}
	for _, m := range r.DesiredDeliveryMediums {
		switch m {
		case DeliveryMediumEmail:
			if r.UserAttributes["email"] == "" {
				p = append(p, "desiredDeliveryMediums has EMAIL but userAttributes has no email")
			}
		case DeliveryMediumSMS:
			if r.UserAttributes["phone_number"] == "" {
				p = append(p, "desiredDeliveryMediums has SMS but userAttributes has no phone_number")
			}
		default:
			p = append(p, fmt.Sprintf("desiredDeliveryMediums has %q; use EMAIL or SMS", clip(m)))
		}
	}
	if r.EnableSMSMFA && r.UserAttributes["phone_number"] == "" {
		p = append(p, "enableSMSMFA is true but userAttributes has no phone_number")
	}
	if e.TriggerSource == UserMigrationForgotPassword && r.UserAttributes["email"] == "" && r.UserAttributes["phone_number"] == "" {
		p = append(p, "a forgot-password migration returns neither email nor phone_number, so the reset code cannot be delivered")
	}
	if _, ok := r.UserAttributes["sub"]; ok {
		p = append(p, "userAttributes sets sub, which Cognito assigns; keep the legacy id in a custom attribute")
	}
	return p
}

func checkCustomMessage(e *CustomMessageEvent) []string {
	var p []string
	code := e.Request.CodeParameter.Reveal()
	link := e.Request.LinkParameter
	need := func(field, msg string) {
		if msg == "" {
			return
		}
		// A pool that verifies by link sends the link placeholder instead
		// of the code, in email only.
		byLink := field == "emailMessage" && link != "" && strings.Contains(msg, link)
		if code != "" && !strings.Contains(msg, code) && !byLink {
			p = append(p, field+" contains neither the code placeholder (request.codeParameter) nor, for verification by link, the link placeholder (request.linkParameter); Cognito would send a message without them")
		}
		if e.TriggerSource == CustomMessageAdminCreateUser && e.Request.UsernameParameter != "" &&
			!strings.Contains(msg, e.Request.UsernameParameter) {
			p = append(p, field+" does not contain the user name placeholder (request.usernameParameter), which an administrator-created user needs")
		}
	}
	need("emailMessage", e.Response.EmailMessage)
	need("smsMessage", e.Response.SMSMessage)
	if e.Response.EmailMessage != "" && e.Response.EmailSubject == "" {
		p = append(p, "emailMessage is set without emailSubject")
	}
	return p
}
