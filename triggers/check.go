package triggers

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cognitrig/cognitrig/triggers/internal/checkmode"
)

// Severity says what Amazon Cognito does with a response that breaks one of
// its rules.
type Severity uint8

const (
	// Rejected: Cognito fails the operation (sign-up, sign-in, message,
	// token issuance) when the function returns this response. The Router
	// fails the invocation instead, so that the cause is logged.
	Rejected Severity = iota + 1
	// Ignored: Cognito documents that it ignores or drops this part of the
	// response and completes the operation. The Router lets the response
	// through and logs a warning; RejectIgnored makes it a failure, and
	// triggertest fails tests on it by default.
	Ignored
)

// String returns "rejected" or "ignored".
func (s Severity) String() string {
	switch s {
	case Rejected:
		return "rejected"
	case Ignored:
		return "ignored"
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// MarshalText encodes the severity as its String form.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one broken rule of Cognito's in a handler's response.
type Finding struct {
	// Rule names the rule, such as "presignup.autoverify-email-without-email";
	// Rules lists them all.
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Problem says what is wrong, what Cognito does with it and how to fix
	// it. It names fields, never their values.
	Problem string `json:"problem"`
	// Page is the title of the AWS page that documents the rule.
	Page string `json:"page"`
}

// String is "[severity] rule: problem".
func (f Finding) String() string {
	return fmt.Sprintf("[%s] %s: %s", f.Severity, f.Rule, f.Problem)
}

// Rule describes one rule of Cognito's that the response checks apply.
type Rule struct {
	Name     string
	Severity Severity
	Page     string
	Summary  string
}

// AWS pages that document the rules, by title.
const (
	pagePreSignUp      = "Pre sign-up Lambda trigger"
	pageDefine         = "Define auth challenge Lambda trigger"
	pagePreToken       = "Pre token generation Lambda trigger"
	pageMigrate        = "Migrate user Lambda trigger"
	pageCustomMessage  = "Custom message Lambda trigger"
	pageMessageTmpl    = "MessageTemplateType (Amazon Cognito API Reference)"
	pageInboundFed     = "Inbound federation Lambda trigger"
	pageAttrMapping    = "Mapping IdP attributes to profiles and tokens"
	pageAdminCreateAPI = "AdminCreateUser (Amazon Cognito API Reference)"
)

// The rules, in the order of the audit table in the package documentation.
// Every rule has a test for the response it refuses and for the nearest
// response it accepts (check_rules_test.go).
var rules = []Rule{
	{"presignup.autoverify-email-without-email", Rejected, pagePreSignUp,
		"autoVerifyEmail is true but the user has no email attribute (PreSignUp_SignUp, PreSignUp_ExternalProvider)"},
	{"presignup.autoverify-phone-without-phone", Rejected, pagePreSignUp,
		"autoVerifyPhone is true but the user has no phone_number attribute (PreSignUp_SignUp, PreSignUp_ExternalProvider)"},
	{"presignup.admin-create-user-flags", Ignored, pagePreSignUp,
		"autoConfirmUser, autoVerifyEmail or autoVerifyPhone set for PreSignUp_AdminCreateUser"},
	{"define.tokens-and-failure", Rejected, pageDefine,
		"issueTokens and failAuthentication both true (fails closed: the sign-in fails, as failAuthentication asks)"},
	{"define.no-decision", Rejected, pageDefine,
		"neither challengeName, issueTokens nor failAuthentication"},
	{"define.tokens-for-unknown-user", Rejected, pageDefine,
		"issueTokens for a request with userNotFound"},
	{"pretoken.reserved-claim", Ignored, pagePreToken,
		"a claim the claims table marks as not addable, changeable or suppressible in that token"},
	{"pretoken.group-claim-in-claims", Ignored, pagePreToken,
		"cognito:groups, cognito:roles or cognito:preferred_role in claimsToAddOrOverride (they come from groupOverrideDetails)"},
	{"pretoken.object-in-id-claim", Ignored, pagePreToken,
		"a JSON object as the value of address, email_verified, phone_number_verified or updated_at in the ID token"},
	{"pretoken.id-token-for-client-credentials", Ignored, pagePreToken,
		"idTokenGeneration for TokenGeneration_ClientCredentials, which issues no ID token"},
	{"pretoken.scope-format", Rejected, pagePreToken,
		"an empty scope, or one with white space, in scopesToAdd"},
	{"migration.no-attributes", Rejected, pageMigrate,
		"userAttributes is empty (the field is required)"},
	{"migration.final-user-status", Rejected, pageMigrate,
		"finalUserStatus other than CONFIRMED or RESET_REQUIRED"},
	{"migration.message-action", Rejected, pageMigrate,
		"messageAction other than SUPPRESS or RESEND"},
	{"migration.delivery-medium", Rejected, pageMigrate + "; " + pageAdminCreateAPI,
		"desiredDeliveryMediums other than EMAIL or SMS, or EMAIL/SMS without the email/phone_number attribute"},
	{"migration.sms-mfa-without-phone", Rejected, pageMigrate,
		"enableSMSMFA without a phone_number attribute"},
	{"migration.forgot-password-unverified", Rejected, pageMigrate,
		"UserMigration_ForgotPassword without a verified email or phone_number (email_verified or phone_number_verified \"true\")"},
	{"message.code-placeholder", Rejected, pageCustomMessage,
		"smsMessage or emailMessage without the codeParameter placeholder (email may use linkParameter on CustomMessage_SignUp and CustomMessage_ResendCode)"},
	{"message.username-placeholder", Rejected, pageCustomMessage,
		"CustomMessage_AdminCreateUser message without the usernameParameter placeholder"},
	{"message.length", Rejected, pageCustomMessage + "; " + pageMessageTmpl,
		"smsMessage over 140, emailMessage over 20,000 or emailSubject over 140 characters"},
	{"federation.attribute-value-length", Rejected, pageInboundFed + "; " + pageAttrMapping,
		"a userAttributesToMap value over 2,048 characters"},
}

// Rules lists the rules that the response checks apply: the audit table of
// the package documentation.
func Rules() []Rule { return slices.Clone(rules) }

func ruleByName(name string) Rule {
	for _, r := range rules {
		if r.Name == name {
			return r
		}
	}
	panic("triggers: unknown rule " + name) // a programming error in this file
}

type findings []Finding

func (f *findings) add(rule, problem string) {
	r := ruleByName(rule)
	*f = append(*f, Finding{Rule: r.Name, Severity: r.Severity, Problem: problem, Page: r.Page})
}

// Claims of the "Pre token generation Lambda trigger" page's claims table
// that a function can neither add, change nor suppress, per token. Cognito
// drops such changes and issues the token without them (Ignored). Claims
// with the cognito: prefix other than the three group claims, and the
// developer-only dev: prefix, are in the same class.
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
	// The group claims: a function may suppress them in claimsToSuppress
	// (the claims table allows it); it sets them through
	// groupOverrideDetails, not claimsToAddOrOverride.
	groupClaims = []string{"cognito:groups", "cognito:roles", "cognito:preferred_role"}
	// ID-token claims whose value may not be a JSON object ("Pre token
	// generation Lambda trigger", event versions).
	noObjectIDTokenClaims = []string{"address", "email_verified", "phone_number_verified", "updated_at"}
)

// ReservedClaim reports why a trigger cannot set a claim through
// claimsToAddOrOverride in the ID token (accessToken false) or access token
// (accessToken true), or "" if it can. The group claims (cognito:groups,
// cognito:roles, cognito:preferred_role) are set through
// GroupOverrideDetails instead; unlike the other reserved claims they may
// be suppressed (see SuppressibleClaim). Source: the claims table of the
// "Pre token generation Lambda trigger" page.
func ReservedClaim(name string, accessToken bool) string {
	list := reservedIDTokenClaims
	if accessToken {
		list = reservedAccessTokenClaims
	}
	switch {
	case slices.Contains(list, name):
		return fmt.Sprintf("claim %q cannot be changed by a trigger; Cognito keeps its own value", name)
	case slices.Contains(groupClaims, name):
		return fmt.Sprintf("claim %q comes from the group override; set it through GroupOverrideDetails", name)
	case strings.HasPrefix(name, "cognito:"), strings.HasPrefix(name, "dev:"):
		return fmt.Sprintf("claim %q has a prefix reserved to Cognito; Cognito keeps its own value", name)
	}
	return ""
}

// SuppressibleClaim reports whether a trigger may name a claim in
// claimsToSuppress of the ID token (accessToken false) or access token:
// every claim that ReservedClaim allows, and the group claims
// cognito:groups, cognito:roles and cognito:preferred_role (claims table
// of the "Pre token generation Lambda trigger" page).
func SuppressibleClaim(name string, accessToken bool) bool {
	return slices.Contains(groupClaims, name) || ReservedClaim(name, accessToken) == ""
}

// Findings checks a handler's response against Amazon Cognito's documented
// rules and returns every rule it breaks, rejected and ignored, in the order
// of Rules. It returns nil for a response that breaks none, and for events
// without a response to check. Problems name fields, never their values.
func Findings(ev Event) []Finding {
	var f findings
	switch e := ev.(type) {
	case *PreSignUpEvent:
		checkPreSignUp(&f, e)
	case *DefineAuthChallengeEvent:
		checkDefine(&f, e)
	case *PreTokenGenerationV1Event:
		checkPreTokenV1(&f, e)
	case *PreTokenGenerationV2Event:
		checkPreTokenV2(&f, e)
	case *UserMigrationEvent:
		checkMigration(&f, e)
	case *CustomMessageEvent:
		checkCustomMessage(&f, e)
	case *InboundFederationEvent:
		checkFederation(&f, e)
	}
	return f
}

// CheckResponse checks a handler's response against Cognito's rules and
// returns a *ResponseError that lists every finding Cognito would reject,
// or nil. Findings that Cognito ignores are not errors here; see Findings.
// The Router runs the checks after every handler unless
// WithoutResponseChecks is set.
func CheckResponse(ev Event) error {
	return responseError(ev, Findings(ev), false)
}

// checkResponse is the Router's check step after a handler: rejected
// findings fail the invocation; ignored ones fail it under RejectIgnored
// (or from triggertest), and are otherwise logged in one warning.
func (r *Router) checkResponse(ctx context.Context, ev Event) error {
	all := Findings(ev)
	if len(all) == 0 {
		return nil
	}
	rejectIgnored := r.rejectIgnored || checkmode.RejectIgnored(ctx)
	if err := responseError(ev, all, rejectIgnored); err != nil {
		return err
	}
	var names, problems []string
	for _, f := range all {
		names = append(names, f.Rule)
		problems = append(problems, f.Problem)
	}
	r.logger.LogAttrs(ctx, slog.LevelWarn, "trigger response has parts that Cognito ignores; sent unchanged",
		slog.String("triggerSource", string(ev.Common().TriggerSource)),
		slog.String("rules", strings.Join(names, ", ")),
		slog.String("problems", strings.Join(problems, "; ")),
		slog.String("reference", reference(ctx)))
	return nil
}

// responseError returns a *ResponseError for the rejected findings, or for
// all of them when withIgnored is set; nil when there are none.
func responseError(ev Event, all []Finding, withIgnored bool) error {
	var keep []Finding
	for _, f := range all {
		if f.Severity == Rejected || withIgnored {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	e := &ResponseError{Source: ev.Common().TriggerSource, Findings: keep}
	for _, f := range keep {
		e.Problems = append(e.Problems, f.Problem)
	}
	return e
}

// attr reads a user attribute of a request.
func attr(a Attributes, name string) string {
	v, _ := a.Get(name)
	return v
}

// "Pre sign-up Lambda trigger": if autoVerifyEmail (autoVerifyPhone) is
// true, the email (phone_number) attribute must have a valid, non-null
// value, otherwise an error occurs and the user cannot complete sign-up. For
// PreSignUp_AdminCreateUser Cognito ignores all three response flags.
func checkPreSignUp(f *findings, e *PreSignUpEvent) {
	r := e.Response
	if e.TriggerSource == PreSignUpAdminCreateUser {
		var set []string
		for _, flag := range []struct {
			name string
			on   bool
		}{{"autoConfirmUser", r.AutoConfirmUser}, {"autoVerifyEmail", r.AutoVerifyEmail}, {"autoVerifyPhone", r.AutoVerifyPhone}} {
			if flag.on {
				set = append(set, flag.name)
			}
		}
		if len(set) > 0 {
			f.add("presignup.admin-create-user-flags", strings.Join(set, ", ")+
				" set for PreSignUp_AdminCreateUser: Cognito ignores these flags for administrator-created users; leave them false for this source")
		}
		return
	}
	if r.AutoVerifyEmail && attr(e.Request.UserAttributes, "email") == "" {
		f.add("presignup.autoverify-email-without-email",
			"autoVerifyEmail is true but the user has no email attribute: Cognito fails the sign-up; set it only when email is present")
	}
	if r.AutoVerifyPhone && attr(e.Request.UserAttributes, "phone_number") == "" {
		f.add("presignup.autoverify-phone-without-phone",
			"autoVerifyPhone is true but the user has no phone_number attribute: Cognito fails the sign-up; set it only when phone_number is present")
	}
}

// "Define auth challenge Lambda trigger": the response names the next
// challenge, or issues tokens, or fails the authentication. With issueTokens
// true Cognito issues tokens whatever challengeName still holds, so a
// leftover challengeName is no finding.
func checkDefine(f *findings, e *DefineAuthChallengeEvent) {
	r := e.Response
	switch {
	case r.IssueTokens && r.FailAuthentication:
		// The page gives no precedence; the function asked to fail, so
		// failing the invocation can only fail a sign-in it meant to fail.
		f.add("define.tokens-and-failure",
			"issueTokens and failAuthentication are both true; set exactly one, or neither with a challengeName")
	case !r.IssueTokens && !r.FailAuthentication && r.ChallengeName == "":
		f.add("define.no-decision",
			"no decision: set challengeName for the next challenge, or issueTokens, or failAuthentication")
	}
	// userNotFound: the user name matched no user (the app client prevents
	// user-existence errors). There is no user to issue tokens to. The
	// problem text reaches only the log: the client sees the router's
	// generic message, which does not tell unknown users from known ones.
	if r.IssueTokens && e.Request.UserNotFound {
		f.add("define.tokens-for-unknown-user",
			"issueTokens is true for a request with userNotFound: there is no user to issue tokens to; fail the authentication instead")
	}
}

// checkClaims applies the claims table of the "Pre token generation Lambda
// trigger" page to one token's additions and suppressions.
func checkClaims(f *findings, where string, claims map[string]any, suppress []string, accessToken bool) {
	for _, name := range sortedKeys(claims) {
		if slices.Contains(groupClaims, name) {
			f.add("pretoken.group-claim-in-claims", fmt.Sprintf(
				"%s.claimsToAddOrOverride sets %q: Cognito sets it from groupOverrideDetails, not from claimsToAddOrOverride; set GroupOverrideDetails instead", where, name))
		} else if why := ReservedClaim(name, accessToken); why != "" {
			f.add("pretoken.reserved-claim", fmt.Sprintf("%s.claimsToAddOrOverride: %s", where, why))
		}
		if !accessToken && slices.Contains(noObjectIDTokenClaims, name) {
			if _, isObject := claims[name].(map[string]any); isObject {
				f.add("pretoken.object-in-id-claim", fmt.Sprintf(
					"%s.claimsToAddOrOverride: claim %q may not be a JSON object in the ID token; Cognito does not put an object in it; use a string, number or boolean", where, name))
			}
		}
	}
	for _, name := range suppress {
		if !SuppressibleClaim(name, accessToken) {
			f.add("pretoken.reserved-claim", fmt.Sprintf("%s.claimsToSuppress: %s", where, ReservedClaim(name, accessToken)))
		}
	}
}

func checkPreTokenV1(f *findings, e *PreTokenGenerationV1Event) {
	d := e.Response.ClaimsOverrideDetails
	if d == nil {
		return
	}
	claims := make(map[string]any, len(d.ClaimsToAddOrOverride))
	for k, v := range d.ClaimsToAddOrOverride {
		claims[k] = v
	}
	checkClaims(f, "claimsOverrideDetails", claims, d.ClaimsToSuppress, false)
}

func checkPreTokenV2(f *findings, e *PreTokenGenerationV2Event) {
	d := e.Response.ClaimsAndScopeOverrideDetails
	if d == nil {
		return
	}
	if id := d.IDTokenGeneration; id != nil {
		if e.TriggerSource == TokenGenerationClientCredentials && (len(id.ClaimsToAddOrOverride) > 0 || len(id.ClaimsToSuppress) > 0) {
			f.add("pretoken.id-token-for-client-credentials",
				"idTokenGeneration is set for a client-credentials grant, which issues no ID token: Cognito ignores it; customise accessTokenGeneration only")
		}
		checkClaims(f, "idTokenGeneration", id.ClaimsToAddOrOverride, id.ClaimsToSuppress, false)
	}
	if at := d.AccessTokenGeneration; at != nil {
		checkClaims(f, "accessTokenGeneration", at.ClaimsToAddOrOverride, at.ClaimsToSuppress, true)
		// The scope claim is one space-separated string: a scope with a
		// blank would be two scopes, an empty one none.
		for i, s := range at.ScopesToAdd {
			if s == "" || strings.ContainsFunc(s, isSpace) {
				f.add("pretoken.scope-format", fmt.Sprintf(
					"accessTokenGeneration.scopesToAdd[%d] is empty or has white space: Cognito refuses it; scopes are single words such as tenant:acme:read", i))
			}
		}
	}
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// "Migrate user Lambda trigger": userAttributes is required; finalUserStatus
// is CONFIRMED or RESET_REQUIRED; messageAction SUPPRESS (or RESEND, as in
// AdminCreateUser); desiredDeliveryMediums EMAIL or SMS, each needing its
// attribute (AdminCreateUser API reference); enableSMSMFA needs a phone
// number or the migration fails; a user migrated in the forgot-password flow
// needs a verified email or phone number to receive the reset code.
func checkMigration(f *findings, e *UserMigrationEvent) {
	r := e.Response
	a := func(name string) string { return r.UserAttributes[name] }
	if len(r.UserAttributes) == 0 {
		f.add("migration.no-attributes",
			"userAttributes is empty: Cognito requires at least one attribute to create the user; return the legacy user's attributes, or return an error when there is no such user")
	}
	switch r.FinalUserStatus {
	case "", UserStatusConfirmed, UserStatusResetRequired:
	default:
		f.add("migration.final-user-status", "finalUserStatus is not CONFIRMED or RESET_REQUIRED; Cognito fails the migration")
	}
	switch r.MessageAction {
	case "", MessageActionSuppress, MessageActionResend:
	default:
		f.add("migration.message-action", "messageAction is not SUPPRESS or RESEND; Cognito fails the migration")
	}
	for i, m := range r.DesiredDeliveryMediums {
		switch m {
		case DeliveryMediumEmail:
			if a("email") == "" {
				f.add("migration.delivery-medium", "desiredDeliveryMediums has EMAIL but userAttributes has no email")
			}
		case DeliveryMediumSMS:
			if a("phone_number") == "" {
				f.add("migration.delivery-medium", "desiredDeliveryMediums has SMS but userAttributes has no phone_number")
			}
		default:
			f.add("migration.delivery-medium", fmt.Sprintf("desiredDeliveryMediums[%d] is not EMAIL or SMS", i))
		}
	}
	if r.EnableSMSMFA && a("phone_number") == "" {
		f.add("migration.sms-mfa-without-phone", "enableSMSMFA is true but userAttributes has no phone_number: Cognito fails the migration")
	}
	if e.TriggerSource == UserMigrationForgotPassword {
		email := a("email") != "" && strings.EqualFold(a("email_verified"), "true")
		phone := a("phone_number") != "" && strings.EqualFold(a("phone_number_verified"), "true")
		if !email && !phone {
			f.add("migration.forgot-password-unverified",
				"a forgot-password migration returns neither a verified email nor a verified phone_number, so Cognito cannot deliver the reset code; return email with email_verified \"true\" (or phone_number with phone_number_verified \"true\")")
		}
	}
}

// Message limits of the MessageTemplateType (Amazon Cognito API Reference),
// in characters.
const (
	maxSMSMessage   = 140
	maxEmailMessage = 20000
	maxEmailSubject = 140
)

// "Custom message Lambda trigger": smsMessage and emailMessage must include
// the codeParameter placeholder (an email may carry the linkParameter
// placeholder instead where Cognito verifies by link: sign-up and resent
// codes); an administrator-created user's message also needs the user name
// placeholder. A field left empty keeps the pool's own text, so an
// emailMessage without emailSubject uses the pool's subject.
func checkCustomMessage(f *findings, e *CustomMessageEvent) {
	code := e.Request.CodeParameter.Reveal()
	link := e.Request.LinkParameter
	linkSource := e.TriggerSource == CustomMessageSignUp || e.TriggerSource == CustomMessageResendCode
	check := func(field, msg string, max int, email bool) {
		if msg == "" {
			return
		}
		byLink := email && linkSource && link != "" && strings.Contains(msg, link)
		if code != "" && !strings.Contains(msg, code) && !byLink {
			what := "the code placeholder (request.codeParameter)"
			if email && linkSource {
				what += " nor, for verification by link, the link placeholder (request.linkParameter)"
			}
			f.add("message.code-placeholder", field+" lacks "+what+": Cognito refuses a message without it")
		}
		if e.TriggerSource == CustomMessageAdminCreateUser && e.Request.UsernameParameter != "" &&
			!strings.Contains(msg, e.Request.UsernameParameter) {
			f.add("message.username-placeholder", field+
				" lacks the user name placeholder (request.usernameParameter), which the invitation of an administrator-created user needs")
		}
		if n := utf8.RuneCountInString(msg); n > max {
			f.add("message.length", fmt.Sprintf("%s has %d characters; Cognito allows at most %d", field, n, max))
		}
	}
	check("emailMessage", e.Response.EmailMessage, maxEmailMessage, true)
	check("smsMessage", e.Response.SMSMessage, maxSMSMessage, false)
	if n := utf8.RuneCountInString(e.Response.EmailSubject); n > maxEmailSubject {
		f.add("message.length", fmt.Sprintf("emailSubject has %d characters; Cognito allows at most %d", n, maxEmailSubject))
	}
}

// maxAttributeValue is the longest user attribute value, in characters
// (AttributeType, Amazon Cognito API Reference; "Mapping IdP attributes to
// profiles and tokens": a longer mapped value makes the sign-in fail).
const maxAttributeValue = 2048

func checkFederation(f *findings, e *InboundFederationEvent) {
	m := e.Response.UserAttributesToMap
	for _, name := range sortedKeys(m) {
		if n := utf8.RuneCountInString(m[name]); n > maxAttributeValue {
			f.add("federation.attribute-value-length", fmt.Sprintf(
				"userAttributesToMap[%q] has %d characters; Cognito fails the sign-in for a value over %d", name, n, maxAttributeValue))
		}
	}
}
