package triggers

import (
	"encoding/json"
	"log/slog"
	"slices"

	"github.com/aws/aws-lambda-go/events"
)

// Field names and shapes follow the "Lambda trigger parameters" sections of
// the Amazon Cognito Developer Guide, one page per trigger. Where
// aws-lambda-go's events package has a complete type that carries no secret,
// it is reused; request types are this package's own so that passwords,
// answers, codes, tokens and client metadata have types that mask themselves.

// Event is implemented by every typed trigger event. Common gives middleware
// the fields that every trigger carries.
type Event interface {
	Common() *Header
	slog.LogValuer
}

// Header holds the parameters common to every user-pool trigger event.
type Header struct {
	Version       string        `json:"version"`
	TriggerSource TriggerSource `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext CallerContext `json:"callerContext"`
}

// CallerContext identifies the caller of the operation that fired the trigger.
type CallerContext = events.CognitoEventUserPoolsCallerContext

// Common returns h; through embedding it gives every event its Header.
func (h *Header) Common() *Header { return h }

func (h *Header) logAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("triggerSource", string(h.TriggerSource)),
		slog.String("version", h.Version),
		slog.String("region", h.Region),
		slog.String("userPoolId", h.UserPoolID),
		slog.String("clientId", h.CallerContext.ClientID),
		slog.String("userName", h.UserName),
	}
}

// eventLogValue is an event's log value: the header, then the request and
// response groups. The events' LogValue methods hand secret fields to slog
// as their own types (Secret, SecretMap, Metadata, Attributes), whose
// LogValue masks them: redaction by type, so a secret is masked in every
// log line, not only in these. TestLoggingRedactsEverySecret proves it for
// every recorded event, in both slog formats.
func eventLogValue(h *Header, request, response slog.Value) slog.Value {
	return slog.GroupValue(append(h.logAttrs(),
		slog.Attr{Key: "request", Value: request},
		slog.Attr{Key: "response", Value: response})...)
}

// ---- Pre sign-up ----

// PreSignUpEvent is sent before a new user is registered (PreSignUp_*).
// Return an error to refuse the sign-up; its text reaches the client.
type PreSignUpEvent struct {
	Header
	Request  PreSignUpRequest  `json:"request"`
	Response PreSignUpResponse `json:"response"`
}

// PreSignUpRequest is the request of a PreSignUpEvent.
type PreSignUpRequest struct {
	UserAttributes Attributes `json:"userAttributes"`
	ValidationData Metadata   `json:"validationData"`
	ClientMetadata Metadata   `json:"clientMetadata,omitempty"`
}

// PreSignUpResponse is what a pre sign-up trigger may decide. It cannot
// change user attributes.
type PreSignUpResponse = events.CognitoEventUserPoolsPreSignupResponse

// LogValue implements slog.LogValuer.
func (e *PreSignUpEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("validationData", e.Request.ValidationData),
			slog.Any("clientMetadata", e.Request.ClientMetadata)),
		slog.GroupValue(
			slog.Bool("autoConfirmUser", e.Response.AutoConfirmUser),
			slog.Bool("autoVerifyEmail", e.Response.AutoVerifyEmail),
			slog.Bool("autoVerifyPhone", e.Response.AutoVerifyPhone)))
}

// ---- Post confirmation ----

// PostConfirmationEvent is sent after a user confirms sign-up or a
// forgotten-password reset (PostConfirmation_*). Cognito may deliver it more
// than once; make side effects idempotent.
type PostConfirmationEvent struct {
	Header
	Request  PostConfirmationRequest  `json:"request"`
	Response PostConfirmationResponse `json:"response"`
}

// PostConfirmationRequest is the request of a PostConfirmationEvent.
type PostConfirmationRequest struct {
	UserAttributes Attributes `json:"userAttributes"`
	ClientMetadata Metadata   `json:"clientMetadata,omitempty"`
}

// PostConfirmationResponse is empty: the trigger returns nothing.
type PostConfirmationResponse = events.CognitoEventUserPoolsPostConfirmationResponse

// LogValue implements slog.LogValuer.
func (e *PostConfirmationEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("clientMetadata", e.Request.ClientMetadata)),
		slog.GroupValue())
}

// ---- Pre authentication ----

// PreAuthenticationEvent is sent when a user signs in, before Cognito checks
// the credentials. Return an error to refuse the sign-in.
type PreAuthenticationEvent struct {
	Header
	Request  PreAuthenticationRequest  `json:"request"`
	Response PreAuthenticationResponse `json:"response"`
}

// PreAuthenticationRequest is the request of a PreAuthenticationEvent.
// UserNotFound is set, with empty attributes, when the app client prevents
// user-existence errors and the user does not exist.
type PreAuthenticationRequest struct {
	UserAttributes Attributes `json:"userAttributes"`
	ValidationData Metadata   `json:"validationData"`
	UserNotFound   bool       `json:"userNotFound"`
}

// PreAuthenticationResponse is empty.
type PreAuthenticationResponse = events.CognitoEventUserPoolsPreAuthenticationResponse

// LogValue implements slog.LogValuer.
func (e *PreAuthenticationEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("validationData", e.Request.ValidationData),
			slog.Bool("userNotFound", e.Request.UserNotFound)),
		slog.GroupValue())
}

// ---- Post authentication ----

// PostAuthenticationEvent is sent after a successful sign-in.
type PostAuthenticationEvent struct {
	Header
	Request  PostAuthenticationRequest  `json:"request"`
	Response PostAuthenticationResponse `json:"response"`
}

// PostAuthenticationRequest is the request of a PostAuthenticationEvent.
type PostAuthenticationRequest struct {
	NewDeviceUsed  bool       `json:"newDeviceUsed"`
	UserAttributes Attributes `json:"userAttributes"`
	ClientMetadata Metadata   `json:"clientMetadata,omitempty"`
}

// PostAuthenticationResponse is empty.
type PostAuthenticationResponse = events.CognitoEventUserPoolsPostAuthenticationResponse

// LogValue implements slog.LogValuer.
func (e *PostAuthenticationEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Bool("newDeviceUsed", e.Request.NewDeviceUsed),
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("clientMetadata", e.Request.ClientMetadata)),
		slog.GroupValue())
}

// ---- Custom authentication ----

// ChallengeResult is one round of a custom authentication session.
type ChallengeResult = events.CognitoEventUserPoolsChallengeResult

// Challenge names that appear in a custom authentication session.
const (
	ChallengeSRPA             = "SRP_A"
	ChallengePasswordVerifier = "PASSWORD_VERIFIER"
	ChallengeCustom           = "CUSTOM_CHALLENGE"
)

// DefineAuthChallengeEvent asks which challenge comes next, or whether to
// issue tokens or fail, given the session so far.
type DefineAuthChallengeEvent struct {
	Header
	Request  DefineAuthChallengeRequest  `json:"request"`
	Response DefineAuthChallengeResponse `json:"response"`
}

// DefineAuthChallengeRequest is the request of a DefineAuthChallengeEvent.
type DefineAuthChallengeRequest struct {
	UserAttributes Attributes        `json:"userAttributes"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata Metadata          `json:"clientMetadata,omitempty"`
	UserNotFound   bool              `json:"userNotFound"`
}

// DefineAuthChallengeResponse is the decision of a define-auth-challenge
// trigger: a next challenge, tokens, or failure, exactly one of them.
type DefineAuthChallengeResponse = events.CognitoEventUserPoolsDefineAuthChallengeResponse

// LogValue implements slog.LogValuer.
func (e *DefineAuthChallengeEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("session", sessionLogValue(e.Request.Session)),
			slog.Any("clientMetadata", e.Request.ClientMetadata),
			slog.Bool("userNotFound", e.Request.UserNotFound)),
		slog.GroupValue(
			slog.String("challengeName", e.Response.ChallengeName),
			slog.Bool("issueTokens", e.Response.IssueTokens),
			slog.Bool("failAuthentication", e.Response.FailAuthentication)))
}

func sessionLogValue(s []ChallengeResult) []string {
	out := make([]string, len(s))
	for i, r := range s {
		result := ":fail"
		if r.ChallengeResult {
			result = ":pass"
		}
		name := r.ChallengeName
		if r.ChallengeMetadata != "" {
			name += "(" + r.ChallengeMetadata + ")"
		}
		out[i] = name + result
	}
	return out
}

// CreateAuthChallengeEvent asks for the parameters of the challenge that
// DefineAuthChallenge chose.
type CreateAuthChallengeEvent struct {
	Header
	Request  CreateAuthChallengeRequest  `json:"request"`
	Response CreateAuthChallengeResponse `json:"response"`
}

// CreateAuthChallengeRequest is the request of a CreateAuthChallengeEvent.
type CreateAuthChallengeRequest struct {
	UserAttributes Attributes        `json:"userAttributes"`
	ChallengeName  string            `json:"challengeName"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata Metadata          `json:"clientMetadata,omitempty"`
	UserNotFound   bool              `json:"userNotFound"`
}

// CreateAuthChallengeResponse holds the public parameters (sent to the
// client), the private parameters (passed only to VerifyAuthChallenge) and
// the metadata that names the challenge in the session.
type CreateAuthChallengeResponse struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
	PrivateChallengeParameters SecretMap         `json:"privateChallengeParameters"`
	ChallengeMetadata          string            `json:"challengeMetadata"`
}

// LogValue implements slog.LogValuer.
func (e *CreateAuthChallengeEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.String("challengeName", e.Request.ChallengeName),
			slog.Any("session", sessionLogValue(e.Request.Session)),
			slog.Any("clientMetadata", e.Request.ClientMetadata),
			slog.Bool("userNotFound", e.Request.UserNotFound)),
		slog.GroupValue(
			slog.Any("publicChallengeParameters", sortedKeys(e.Response.PublicChallengeParameters)),
			slog.Any("privateChallengeParameters", e.Response.PrivateChallengeParameters),
			slog.String("challengeMetadata", e.Response.ChallengeMetadata)))
}

// VerifyAuthChallengeResponseEvent asks whether the user's answer is right.
type VerifyAuthChallengeResponseEvent struct {
	Header
	Request  VerifyAuthChallengeResponseRequest  `json:"request"`
	Response VerifyAuthChallengeResponseResponse `json:"response"`
}

// VerifyAuthChallengeResponseRequest is the request of a
// VerifyAuthChallengeResponseEvent. The answer and the private parameters are
// secrets.
type VerifyAuthChallengeResponseRequest struct {
	UserAttributes             Attributes `json:"userAttributes"`
	PrivateChallengeParameters SecretMap  `json:"privateChallengeParameters"`
	ChallengeAnswer            Secret     `json:"challengeAnswer"`
	ClientMetadata             Metadata   `json:"clientMetadata,omitempty"`
	UserNotFound               bool       `json:"userNotFound"`
}

// VerifyAuthChallengeResponseResponse says whether the answer was correct.
type VerifyAuthChallengeResponseResponse = events.CognitoEventUserPoolsVerifyAuthChallengeResponse

// LogValue implements slog.LogValuer.
func (e *VerifyAuthChallengeResponseEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("privateChallengeParameters", e.Request.PrivateChallengeParameters),
			slog.Any("challengeAnswer", e.Request.ChallengeAnswer),
			slog.Any("clientMetadata", e.Request.ClientMetadata),
			slog.Bool("userNotFound", e.Request.UserNotFound)),
		slog.GroupValue(slog.Bool("answerCorrect", e.Response.AnswerCorrect)))
}

// ---- Pre token generation ----

// GroupConfiguration is the request's groupConfiguration: the user's
// groups, IAM roles and preferred role as Cognito would put them in the
// tokens (cognito:groups, cognito:roles, cognito:preferred_role). Cognito
// sends empty arrays for a user without groups and null for no preferred
// role; decoding keeps that difference (a non-nil empty slice, a nil
// pointer).
type GroupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// Override returns a GroupOverride that keeps g as it is: a deep copy, to
// change one part of and return. Since Cognito replaces the whole group
// configuration (see GroupOverride), this is where every override starts.
func (g GroupConfiguration) Override() *GroupOverride {
	o := &GroupOverride{
		GroupsToOverride:   slices.Clone(g.GroupsToOverride),
		IAMRolesToOverride: slices.Clone(g.IAMRolesToOverride),
	}
	if g.PreferredRole != nil {
		role := *g.PreferredRole
		o.PreferredRole = &role
	}
	return o
}

// GroupOverride is the response's groupOverrideDetails. Cognito replaces
// the user's whole group configuration with it, in the ID token and (V2,
// V3) the access token; it does not merge. The Amazon Cognito Developer
// Guide, "Pre token generation Lambda trigger", response parameters: "The
// groupOverrideDetails object is replaced with the one you provide. If you
// provide an empty or null object in the response, then the groups are
// suppressed. To leave the existing group configuration as is, copy the
// value of the request's groupConfiguration object to the
// groupOverrideDetails object in the response".
//
// So:
//   - leave the response's GroupOverrideDetails nil to keep everything
//     (the field is then absent from the response);
//   - to change one part, start from GroupConfiguration.Override (or the
//     Groups method of the response details) and change that part;
//   - a nil GroupsToOverride, IAMRolesToOverride or PreferredRole removes
//     cognito:groups, cognito:roles or cognito:preferred_role.
//
// On the wire a nil slice or pointer is absent and a non-nil empty slice is
// sent as [], so that an explicit "no groups" stays explicit.
type GroupOverride struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// MarshalJSON encodes o with nil fields absent and empty, non-nil slices
// as [] (encoding/json's omitempty would drop both).
func (o GroupOverride) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64)
	b = append(b, '{')
	field := func(name string, v any) error {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		enc, err := json.Marshal(v)
		b = append(b, enc...)
		return err
	}
	if o.GroupsToOverride != nil {
		if err := field("groupsToOverride", o.GroupsToOverride); err != nil {
			return nil, err
		}
	}
	if o.IAMRolesToOverride != nil {
		if err := field("iamRolesToOverride", o.IAMRolesToOverride); err != nil {
			return nil, err
		}
	}
	if o.PreferredRole != nil {
		if err := field("preferredRole", *o.PreferredRole); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// PreTokenGenerationV1Event is the version-1 pre token generation event: it
// customises the ID token only (TokenGeneration_*, version "1").
type PreTokenGenerationV1Event struct {
	Header
	Request  PreTokenGenerationV1Request  `json:"request"`
	Response PreTokenGenerationV1Response `json:"response"`
}

// PreTokenGenerationV1Request is the request of a PreTokenGenerationV1Event.
type PreTokenGenerationV1Request struct {
	UserAttributes     Attributes         `json:"userAttributes"`
	GroupConfiguration GroupConfiguration `json:"groupConfiguration"`
	ClientMetadata     Metadata           `json:"clientMetadata,omitempty"`
}

// PreTokenGenerationV1Response customises the ID token. Only fields that are
// set are sent back: an absent groupOverrideDetails keeps the user's groups
// and roles, while a present one replaces them all (see GroupOverride).
type PreTokenGenerationV1Response struct {
	ClaimsOverrideDetails *ClaimsOverrideDetails `json:"claimsOverrideDetails,omitempty"`
}

// ClaimsOverrideDetails is the version-1 customisation of the ID token.
// Claim values are strings in version 1.
type ClaimsOverrideDetails struct {
	ClaimsToAddOrOverride map[string]string `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string          `json:"claimsToSuppress,omitempty"`
	// GroupOverrideDetails, when set, replaces the whole group
	// configuration (see GroupOverride); nil keeps it.
	GroupOverrideDetails *GroupOverride `json:"groupOverrideDetails,omitempty"`
}

// Details returns the response's ClaimsOverrideDetails, creating it if needed.
func (r *PreTokenGenerationV1Response) Details() *ClaimsOverrideDetails {
	if r.ClaimsOverrideDetails == nil {
		r.ClaimsOverrideDetails = &ClaimsOverrideDetails{}
	}
	return r.ClaimsOverrideDetails
}

// Groups returns the group override to change, creating it as a copy of
// current (the request's GroupConfiguration) if there is none yet, so that
// the parts the caller leaves alone keep their values: Cognito replaces the
// whole group configuration with the override.
func (d *ClaimsOverrideDetails) Groups(current GroupConfiguration) *GroupOverride {
	if d.GroupOverrideDetails == nil {
		d.GroupOverrideDetails = current.Override()
	}
	return d.GroupOverrideDetails
}

// LogValue implements slog.LogValuer.
func (e *PreTokenGenerationV1Event) LogValue() slog.Value {
	var resp slog.Value
	if d := e.Response.ClaimsOverrideDetails; d != nil {
		resp = slog.GroupValue(
			slog.Any("claimsToAddOrOverride", sortedKeys(d.ClaimsToAddOrOverride)),
			slog.Any("claimsToSuppress", d.ClaimsToSuppress),
			slog.Bool("groupOverride", d.GroupOverrideDetails != nil))
	}
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("groups", e.Request.GroupConfiguration.GroupsToOverride),
			slog.Any("clientMetadata", e.Request.ClientMetadata)),
		resp)
}

// PreTokenGenerationV2Event is the version-2 and version-3 pre token
// generation event: it customises the ID and access tokens, and (version 3)
// the access token of client-credentials grants.
type PreTokenGenerationV2Event struct {
	Header
	Request  PreTokenGenerationV2Request  `json:"request"`
	Response PreTokenGenerationV2Response `json:"response"`
}

// PreTokenGenerationV2Request is the request of a PreTokenGenerationV2Event.
type PreTokenGenerationV2Request struct {
	UserAttributes     Attributes         `json:"userAttributes"`
	Scopes             []string           `json:"scopes"`
	GroupConfiguration GroupConfiguration `json:"groupConfiguration"`
	ClientMetadata     Metadata           `json:"clientMetadata,omitempty"`
}

// PreTokenGenerationV2Response customises both tokens. Only fields that are
// set are sent back: an absent groupOverrideDetails keeps the user's groups
// and roles in both tokens, while a present one replaces them all (see
// GroupOverride).
type PreTokenGenerationV2Response struct {
	ClaimsAndScopeOverrideDetails *ClaimsAndScopeOverrideDetails `json:"claimsAndScopeOverrideDetails,omitempty"`
}

// ClaimsAndScopeOverrideDetails is the version-2/3 customisation.
type ClaimsAndScopeOverrideDetails struct {
	IDTokenGeneration     *IDTokenGeneration     `json:"idTokenGeneration,omitempty"`
	AccessTokenGeneration *AccessTokenGeneration `json:"accessTokenGeneration,omitempty"`
	// GroupOverrideDetails, when set, replaces the whole group
	// configuration of both tokens (see GroupOverride); nil keeps it.
	GroupOverrideDetails *GroupOverride `json:"groupOverrideDetails,omitempty"`
}

// IDTokenGeneration customises the ID token. Claim values may be any JSON
// value, except objects for address, email_verified, phone_number_verified
// and updated_at.
type IDTokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress,omitempty"`
}

// AccessTokenGeneration customises the access token's claims and scopes.
type AccessTokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride,omitempty"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress,omitempty"`
	ScopesToAdd           []string       `json:"scopesToAdd,omitempty"`
	ScopesToSuppress      []string       `json:"scopesToSuppress,omitempty"`
}

// Details returns the response's ClaimsAndScopeOverrideDetails, creating it
// if needed.
func (r *PreTokenGenerationV2Response) Details() *ClaimsAndScopeOverrideDetails {
	if r.ClaimsAndScopeOverrideDetails == nil {
		r.ClaimsAndScopeOverrideDetails = &ClaimsAndScopeOverrideDetails{}
	}
	return r.ClaimsAndScopeOverrideDetails
}

// Groups returns the group override to change, creating it as a copy of
// current (the request's GroupConfiguration) if there is none yet, so that
// the parts the caller leaves alone keep their values: Cognito replaces the
// whole group configuration, in both tokens, with the override.
func (d *ClaimsAndScopeOverrideDetails) Groups(current GroupConfiguration) *GroupOverride {
	if d.GroupOverrideDetails == nil {
		d.GroupOverrideDetails = current.Override()
	}
	return d.GroupOverrideDetails
}

// IDToken returns the ID-token customisation, creating it if needed.
func (d *ClaimsAndScopeOverrideDetails) IDToken() *IDTokenGeneration {
	if d.IDTokenGeneration == nil {
		d.IDTokenGeneration = &IDTokenGeneration{}
	}
	return d.IDTokenGeneration
}

// AccessToken returns the access-token customisation, creating it if needed.
func (d *ClaimsAndScopeOverrideDetails) AccessToken() *AccessTokenGeneration {
	if d.AccessTokenGeneration == nil {
		d.AccessTokenGeneration = &AccessTokenGeneration{}
	}
	return d.AccessTokenGeneration
}

// LogValue implements slog.LogValuer. Claim values are not logged, only
// their names: they may carry personal data.
func (e *PreTokenGenerationV2Event) LogValue() slog.Value {
	var resp slog.Value
	if d := e.Response.ClaimsAndScopeOverrideDetails; d != nil {
		var attrs []slog.Attr
		if id := d.IDTokenGeneration; id != nil {
			attrs = append(attrs, slog.Group("idToken",
				slog.Any("claimsToAddOrOverride", sortedKeys(id.ClaimsToAddOrOverride)),
				slog.Any("claimsToSuppress", id.ClaimsToSuppress)))
		}
		if at := d.AccessTokenGeneration; at != nil {
			attrs = append(attrs, slog.Group("accessToken",
				slog.Any("claimsToAddOrOverride", sortedKeys(at.ClaimsToAddOrOverride)),
				slog.Any("claimsToSuppress", at.ClaimsToSuppress),
				slog.Any("scopesToAdd", at.ScopesToAdd),
				slog.Any("scopesToSuppress", at.ScopesToSuppress)))
		}
		attrs = append(attrs, slog.Bool("groupOverride", d.GroupOverrideDetails != nil))
		resp = slog.GroupValue(attrs...)
	}
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("scopes", e.Request.Scopes),
			slog.Any("groups", e.Request.GroupConfiguration.GroupsToOverride),
			slog.Any("clientMetadata", e.Request.ClientMetadata)),
		resp)
}

// ---- User migration ----

// Values of UserMigrationResponse fields.
const (
	UserStatusConfirmed     = "CONFIRMED"
	UserStatusResetRequired = "RESET_REQUIRED"
	MessageActionSuppress   = "SUPPRESS"
	MessageActionResend     = "RESEND"
	DeliveryMediumEmail     = "EMAIL"
	DeliveryMediumSMS       = "SMS"
)

// UserMigrationEvent is sent when a user who is not in the pool signs in
// with a password (UserMigration_Authentication) or asks for a password reset
// (UserMigration_ForgotPassword, no password).
type UserMigrationEvent struct {
	Header
	Request  UserMigrationRequest  `json:"request"`
	Response UserMigrationResponse `json:"response"`
}

// UserMigrationRequest is the request of a UserMigrationEvent. Password is
// present only for UserMigration_Authentication with USER_PASSWORD_AUTH or
// ADMIN_USER_PASSWORD_AUTH.
type UserMigrationRequest struct {
	Password       Secret   `json:"password"`
	ValidationData Metadata `json:"validationData"`
	ClientMetadata Metadata `json:"clientMetadata,omitempty"`
}

// UserMigrationResponse creates the user in the pool.
type UserMigrationResponse struct {
	UserAttributes         map[string]string `json:"userAttributes"`
	FinalUserStatus        string            `json:"finalUserStatus,omitempty"`
	MessageAction          string            `json:"messageAction,omitempty"`
	DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums,omitempty"`
	ForceAliasCreation     bool              `json:"forceAliasCreation"`
	EnableSMSMFA           bool              `json:"enableSMSMFA"`
}

// LogValue implements slog.LogValuer.
func (e *UserMigrationEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("password", e.Request.Password),
			slog.Any("validationData", e.Request.ValidationData),
			slog.Any("clientMetadata", e.Request.ClientMetadata)),
		slog.GroupValue(
			slog.Any("userAttributes", Attributes(e.Response.UserAttributes)),
			slog.String("finalUserStatus", e.Response.FinalUserStatus),
			slog.String("messageAction", e.Response.MessageAction),
			slog.Any("desiredDeliveryMediums", e.Response.DesiredDeliveryMediums),
			slog.Bool("forceAliasCreation", e.Response.ForceAliasCreation),
			slog.Bool("enableSMSMFA", e.Response.EnableSMSMFA)))
}

// ---- Custom message ----

// CustomMessageEvent asks for the text of an email or SMS message before
// Cognito sends it.
type CustomMessageEvent struct {
	Header
	Request  CustomMessageRequest  `json:"request"`
	Response CustomMessageResponse `json:"response"`
}

// CustomMessageRequest is the request of a CustomMessageEvent.
// CodeParameter is the placeholder that Cognito replaces with the code (or
// the temporary password for CustomMessage_AdminCreateUser); keep it in the
// message. Some emulators send the code itself here, so it is a Secret.
type CustomMessageRequest struct {
	UserAttributes    Attributes `json:"userAttributes"`
	CodeParameter     Secret     `json:"codeParameter"`
	LinkParameter     string     `json:"linkParameter,omitempty"`
	UsernameParameter string     `json:"usernameParameter"`
	ClientMetadata    Metadata   `json:"clientMetadata,omitempty"`
}

// CustomMessageResponse is the message to send. A field left empty goes out
// absent, and Cognito keeps the pool's own text for it ("Custom message
// Lambda trigger": a null emailSubject keeps the pool's subject). The field
// names are those of aws-lambda-go's
// CognitoEventUserPoolsCustomMessageResponse, whose fields have no
// omitempty: with it, an unset subject would go out as "" and replace the
// pool's.
type CustomMessageResponse struct {
	SMSMessage   string `json:"smsMessage,omitempty"`
	EmailMessage string `json:"emailMessage,omitempty"`
	EmailSubject string `json:"emailSubject,omitempty"`
}

// LogValue implements slog.LogValuer. Message bodies are logged by length
// only: with an emulator they may contain the code itself.
func (e *CustomMessageEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.Any("userAttributes", e.Request.UserAttributes),
			slog.Any("codeParameter", e.Request.CodeParameter),
			slog.String("linkParameter", e.Request.LinkParameter),
			slog.String("usernameParameter", e.Request.UsernameParameter),
			slog.Any("clientMetadata", e.Request.ClientMetadata)),
		slog.GroupValue(
			slog.Int("smsMessageLen", len(e.Response.SMSMessage)),
			slog.Int("emailMessageLen", len(e.Response.EmailMessage)),
			slog.String("emailSubject", e.Response.EmailSubject)))
}

// ---- Custom senders ----

// Request types of the custom sender events.
const (
	CustomEmailSenderRequestV1 = "customEmailSenderRequestV1"
	CustomSMSSenderRequestV1   = "customSMSSenderRequestV1"
)

// CustomSenderEvent is sent, asynchronously, instead of an email
// (CustomEmailSender_*) or SMS (CustomSMSSender_*) that Cognito would send.
// Request.Code is encrypted with the AWS Encryption SDK; it stays ciphertext
// in this type.
type CustomSenderEvent struct {
	Header
	Request  CustomSenderRequest  `json:"request"`
	Response CustomSenderResponse `json:"response"`
}

// CustomSenderRequest is the request of a CustomSenderEvent.
type CustomSenderRequest struct {
	Type           string     `json:"type"`
	Code           Secret     `json:"code"`
	ClientMetadata Metadata   `json:"clientMetadata,omitempty"`
	UserAttributes Attributes `json:"userAttributes"`
}

// CustomSenderResponse is empty: the function delivers the message itself.
type CustomSenderResponse struct{}

// LogValue implements slog.LogValuer.
func (e *CustomSenderEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.String("type", e.Request.Type),
			slog.Any("code", e.Request.Code),
			slog.Any("clientMetadata", e.Request.ClientMetadata),
			slog.Any("userAttributes", e.Request.UserAttributes)),
		slog.GroupValue())
}

// ---- Inbound federation ----

// FederationProviderType is the type of the external identity provider.
type FederationProviderType = events.CognitoFederationProviderType

// InboundFederationEvent is sent when a user signs in through an external
// identity provider, so that the function can map the provider's attributes.
type InboundFederationEvent struct {
	Header
	Request  InboundFederationRequest  `json:"request"`
	Response InboundFederationResponse `json:"response"`
}

// InboundFederationRequest is the request of an InboundFederationEvent.
type InboundFederationRequest struct {
	ProviderName string                 `json:"providerName"`
	ProviderType FederationProviderType `json:"providerType"`
	Attributes   FederationAttributes   `json:"attributes"`
}

// FederationAttributes are what the provider returned. TokenResponse holds
// the provider's tokens and is secret; the others are personal data.
type FederationAttributes struct {
	TokenResponse SecretMap  `json:"tokenResponse,omitempty"`
	IDToken       Attributes `json:"idToken,omitempty"`
	UserInfo      Attributes `json:"userInfo,omitempty"`
	SAMLResponse  Attributes `json:"samlResponse,omitempty"`
}

// InboundFederationResponse lists the attributes to keep on the user. An
// empty map keeps every original attribute.
type InboundFederationResponse = events.CognitoEventUserPoolsInboundFederationResponse

// LogValue implements slog.LogValuer.
func (e *InboundFederationEvent) LogValue() slog.Value {
	return eventLogValue(&e.Header,
		slog.GroupValue(
			slog.String("providerName", e.Request.ProviderName),
			slog.String("providerType", string(e.Request.ProviderType)),
			slog.Any("tokenResponse", e.Request.Attributes.TokenResponse),
			slog.Any("idToken", e.Request.Attributes.IDToken),
			slog.Any("userInfo", e.Request.Attributes.UserInfo),
			slog.Any("samlResponse", e.Request.Attributes.SAMLResponse)),
		slog.GroupValue(slog.Any("userAttributesToMap", Attributes(e.Response.UserAttributesToMap))))
}
