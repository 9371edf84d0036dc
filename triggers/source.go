package triggers

import (
	"slices"
	"time"
)

// CognitoTimeout is how long Amazon Cognito waits for a synchronous trigger
// before it retries (up to three attempts in all). It cannot be changed.
const CognitoTimeout = 5 * time.Second

// TriggerSource is the value of an event's triggerSource field: it names both
// the Lambda trigger and the user-pool operation that invoked it.
type TriggerSource string

// Trigger sources, as Amazon Cognito sends them.
const (
	PreSignUpSignUp           TriggerSource = "PreSignUp_SignUp"
	PreSignUpAdminCreateUser  TriggerSource = "PreSignUp_AdminCreateUser"
	PreSignUpExternalProvider TriggerSource = "PreSignUp_ExternalProvider"

	PostConfirmationConfirmSignUp         TriggerSource = "PostConfirmation_ConfirmSignUp"
	PostConfirmationConfirmForgotPassword TriggerSource = "PostConfirmation_ConfirmForgotPassword"

	PreAuthenticationAuthentication  TriggerSource = "PreAuthentication_Authentication"
	PostAuthenticationAuthentication TriggerSource = "PostAuthentication_Authentication"

	DefineAuthChallengeAuthentication         TriggerSource = "DefineAuthChallenge_Authentication"
	CreateAuthChallengeAuthentication         TriggerSource = "CreateAuthChallenge_Authentication"
	VerifyAuthChallengeResponseAuthentication TriggerSource = "VerifyAuthChallengeResponse_Authentication"

	TokenGenerationHostedAuth           TriggerSource = "TokenGeneration_HostedAuth"
	TokenGenerationAuthentication       TriggerSource = "TokenGeneration_Authentication"
	TokenGenerationNewPasswordChallenge TriggerSource = "TokenGeneration_NewPasswordChallenge"
	TokenGenerationAuthenticateDevice   TriggerSource = "TokenGeneration_AuthenticateDevice"
	TokenGenerationRefreshTokens        TriggerSource = "TokenGeneration_RefreshTokens"
	// TokenGenerationClientCredentials is sent only with event version 3,
	// for machine-to-machine client-credentials grants.
	TokenGenerationClientCredentials TriggerSource = "TokenGeneration_ClientCredentials"

	UserMigrationAuthentication  TriggerSource = "UserMigration_Authentication"
	UserMigrationForgotPassword  TriggerSource = "UserMigration_ForgotPassword"
	CustomMessageSignUp          TriggerSource = "CustomMessage_SignUp"
	CustomMessageAdminCreateUser TriggerSource = "CustomMessage_AdminCreateUser"
	CustomMessageResendCode      TriggerSource = "CustomMessage_ResendCode"
	CustomMessageForgotPassword  TriggerSource = "CustomMessage_ForgotPassword"
	CustomMessageUpdateUserAttr  TriggerSource = "CustomMessage_UpdateUserAttribute"
	CustomMessageVerifyUserAttr  TriggerSource = "CustomMessage_VerifyUserAttribute"
	CustomMessageAuthentication  TriggerSource = "CustomMessage_Authentication"

	CustomEmailSenderSignUp                      TriggerSource = "CustomEmailSender_SignUp"
	CustomEmailSenderResendCode                  TriggerSource = "CustomEmailSender_ResendCode"
	CustomEmailSenderForgotPassword              TriggerSource = "CustomEmailSender_ForgotPassword"
	CustomEmailSenderUpdateUserAttribute         TriggerSource = "CustomEmailSender_UpdateUserAttribute"
	CustomEmailSenderVerifyUserAttribute         TriggerSource = "CustomEmailSender_VerifyUserAttribute"
	CustomEmailSenderAdminCreateUser             TriggerSource = "CustomEmailSender_AdminCreateUser"
	CustomEmailSenderAccountTakeOverNotification TriggerSource = "CustomEmailSender_AccountTakeOverNotification"
	CustomEmailSenderAuthentication              TriggerSource = "CustomEmailSender_Authentication"

	CustomSMSSenderSignUp                      TriggerSource = "CustomSMSSender_SignUp"
	CustomSMSSenderResendCode                  TriggerSource = "CustomSMSSender_ResendCode"
	CustomSMSSenderForgotPassword              TriggerSource = "CustomSMSSender_ForgotPassword"
	CustomSMSSenderUpdateUserAttribute         TriggerSource = "CustomSMSSender_UpdateUserAttribute"
	CustomSMSSenderVerifyUserAttribute         TriggerSource = "CustomSMSSender_VerifyUserAttribute"
	CustomSMSSenderAdminCreateUser             TriggerSource = "CustomSMSSender_AdminCreateUser"
	CustomSMSSenderAccountTakeOverNotification TriggerSource = "CustomSMSSender_AccountTakeOverNotification"
	CustomSMSSenderAuthentication              TriggerSource = "CustomSMSSender_Authentication"

	InboundFederationExternalProvider TriggerSource = "InboundFederation_ExternalProvider"
)

// Trigger is a Lambda trigger of a user pool: the slot in the pool's
// LambdaConfig that a function is attached to. Several trigger sources share
// one Trigger, and so one event shape. Pre token generation has one Trigger
// per event shape: PreTokenGenerationV1 (version 1) and PreTokenGenerationV2
// (versions 2 and 3, which are identical in shape).
type Trigger uint8

// The user-pool triggers. The zero Trigger is not a trigger.
const (
	PreSignUp Trigger = iota + 1
	PostConfirmation
	PreAuthentication
	PostAuthentication
	DefineAuthChallenge
	CreateAuthChallenge
	VerifyAuthChallengeResponse
	PreTokenGenerationV1
	PreTokenGenerationV2
	UserMigration
	CustomMessage
	CustomEmailSender
	CustomSMSSender
	InboundFederation
	numTriggers
)

var triggerNames = [numTriggers]string{
	PreSignUp:                   "PreSignUp",
	PostConfirmation:            "PostConfirmation",
	PreAuthentication:           "PreAuthentication",
	PostAuthentication:          "PostAuthentication",
	DefineAuthChallenge:         "DefineAuthChallenge",
	CreateAuthChallenge:         "CreateAuthChallenge",
	VerifyAuthChallengeResponse: "VerifyAuthChallengeResponse",
	PreTokenGenerationV1:        "PreTokenGeneration(v1)",
	PreTokenGenerationV2:        "PreTokenGeneration(v2/v3)",
	UserMigration:               "UserMigration",
	CustomMessage:               "CustomMessage",
	CustomEmailSender:           "CustomEmailSender",
	CustomSMSSender:             "CustomSMSSender",
	InboundFederation:           "InboundFederation",
}

// String returns the trigger's name, e.g. "PreSignUp".
func (t Trigger) String() string {
	if t == 0 || t >= numTriggers {
		return "Trigger(invalid)"
	}
	return triggerNames[t]
}

// Synchronous reports whether Cognito waits for the trigger's answer (and
// fails the operation after CognitoTimeout). Only the custom senders are
// invoked asynchronously.
func (t Trigger) Synchronous() bool {
	return t != CustomEmailSender && t != CustomSMSSender
}

// AllTriggers lists every Trigger in declaration order.
func AllTriggers() []Trigger {
	out := make([]Trigger, 0, numTriggers-1)
	for t := Trigger(1); t < numTriggers; t++ {
		out = append(out, t)
	}
	return out
}

var sourceTriggers = map[TriggerSource]Trigger{
	PreSignUpSignUp:           PreSignUp,
	PreSignUpAdminCreateUser:  PreSignUp,
	PreSignUpExternalProvider: PreSignUp,

	PostConfirmationConfirmSignUp:         PostConfirmation,
	PostConfirmationConfirmForgotPassword: PostConfirmation,

	PreAuthenticationAuthentication:  PreAuthentication,
	PostAuthenticationAuthentication: PostAuthentication,

	DefineAuthChallengeAuthentication:         DefineAuthChallenge,
	CreateAuthChallengeAuthentication:         CreateAuthChallenge,
	VerifyAuthChallengeResponseAuthentication: VerifyAuthChallengeResponse,

	// Pre token generation sources map to the V2 shape here; the event
	// version decides (see Classify).
	TokenGenerationHostedAuth:           PreTokenGenerationV2,
	TokenGenerationAuthentication:       PreTokenGenerationV2,
	TokenGenerationNewPasswordChallenge: PreTokenGenerationV2,
	TokenGenerationAuthenticateDevice:   PreTokenGenerationV2,
	TokenGenerationRefreshTokens:        PreTokenGenerationV2,
	TokenGenerationClientCredentials:    PreTokenGenerationV2,

	UserMigrationAuthentication: UserMigration,
	UserMigrationForgotPassword: UserMigration,

	CustomMessageSignUp:          CustomMessage,
	CustomMessageAdminCreateUser: CustomMessage,
	CustomMessageResendCode:      CustomMessage,
	CustomMessageForgotPassword:  CustomMessage,
	CustomMessageUpdateUserAttr:  CustomMessage,
	CustomMessageVerifyUserAttr:  CustomMessage,
	CustomMessageAuthentication:  CustomMessage,

	CustomEmailSenderSignUp:                      CustomEmailSender,
	CustomEmailSenderResendCode:                  CustomEmailSender,
	CustomEmailSenderForgotPassword:              CustomEmailSender,
	CustomEmailSenderUpdateUserAttribute:         CustomEmailSender,
	CustomEmailSenderVerifyUserAttribute:         CustomEmailSender,
	CustomEmailSenderAdminCreateUser:             CustomEmailSender,
	CustomEmailSenderAccountTakeOverNotification: CustomEmailSender,
	CustomEmailSenderAuthentication:              CustomEmailSender,

	CustomSMSSenderSignUp:                      CustomSMSSender,
	CustomSMSSenderResendCode:                  CustomSMSSender,
	CustomSMSSenderForgotPassword:              CustomSMSSender,
	CustomSMSSenderUpdateUserAttribute:         CustomSMSSender,
	CustomSMSSenderVerifyUserAttribute:         CustomSMSSender,
	CustomSMSSenderAdminCreateUser:             CustomSMSSender,
	CustomSMSSenderAccountTakeOverNotification: CustomSMSSender,
	CustomSMSSenderAuthentication:              CustomSMSSender,

	InboundFederationExternalProvider: InboundFederation,
}

// AllSources lists every trigger source Cognito sends, sorted by trigger.
func AllSources() []TriggerSource {
	return slices.Clone(orderedSources)
}

// orderedSources fixes an order for AllSources (map order is random).
var orderedSources = []TriggerSource{
	PreSignUpSignUp, PreSignUpAdminCreateUser, PreSignUpExternalProvider,
	PostConfirmationConfirmSignUp, PostConfirmationConfirmForgotPassword,
	PreAuthenticationAuthentication, PostAuthenticationAuthentication,
	DefineAuthChallengeAuthentication, CreateAuthChallengeAuthentication, VerifyAuthChallengeResponseAuthentication,
	TokenGenerationHostedAuth, TokenGenerationAuthentication, TokenGenerationNewPasswordChallenge,
	TokenGenerationAuthenticateDevice, TokenGenerationRefreshTokens, TokenGenerationClientCredentials,
	UserMigrationAuthentication, UserMigrationForgotPassword,
	CustomMessageSignUp, CustomMessageAdminCreateUser, CustomMessageResendCode, CustomMessageForgotPassword,
	CustomMessageUpdateUserAttr, CustomMessageVerifyUserAttr, CustomMessageAuthentication,
	CustomEmailSenderSignUp, CustomEmailSenderResendCode, CustomEmailSenderForgotPassword,
	CustomEmailSenderUpdateUserAttribute, CustomEmailSenderVerifyUserAttribute, CustomEmailSenderAdminCreateUser,
	CustomEmailSenderAccountTakeOverNotification, CustomEmailSenderAuthentication,
	CustomSMSSenderSignUp, CustomSMSSenderResendCode, CustomSMSSenderForgotPassword,
	CustomSMSSenderUpdateUserAttribute, CustomSMSSenderVerifyUserAttribute, CustomSMSSenderAdminCreateUser,
	CustomSMSSenderAccountTakeOverNotification, CustomSMSSenderAuthentication,
	InboundFederationExternalProvider,
}

// Known reports whether s is a trigger source this package knows.
func (s TriggerSource) Known() bool {
	_, ok := sourceTriggers[s]
	return ok
}

// IsPreTokenGeneration reports whether s is a TokenGeneration_* source.
func (s TriggerSource) IsPreTokenGeneration() bool {
	return sourceTriggers[s] == PreTokenGenerationV2
}

// Classify returns the Trigger (and so the event shape) for an event's
// trigger source and version. Pre token generation events are told apart by
// version: "1" is the ID-token-only shape; "2" and "3" add access-token
// customisation. Version "0" is taken as "1": cognito-local, a widely used
// Cognito emulator, sends it for version-1 events. A client-credentials event
// exists only in version 3. A version above 3 is read as the version 2/3
// shape: the router decodes it so and logs a warning, rather than failing
// every token issuance when a pool is switched to a newer version.
func Classify(source TriggerSource, version string) (Trigger, error) {
	t, ok := sourceTriggers[source]
	if !ok {
		if source == "" {
			return 0, ErrNoTriggerSource
		}
		return 0, &UnknownSourceError{Source: source}
	}
	if t != PreTokenGenerationV2 {
		return t, nil
	}
	switch version {
	case "1", "0":
		if source == TokenGenerationClientCredentials {
			return 0, &VersionError{Source: source, Version: version, Want: `"3"`}
		}
		return PreTokenGenerationV1, nil
	case "2":
		if source == TokenGenerationClientCredentials {
			return 0, &VersionError{Source: source, Version: version, Want: `"3"`}
		}
		return PreTokenGenerationV2, nil
	case "3":
		return PreTokenGenerationV2, nil
	default:
		if versionAbove3(version) {
			// A newer event version: Cognito versions have so far only added
			// fields, so the newest shape this package knows reads it; the
			// router logs a warning. ("Pre token generation Lambda trigger",
			// event versions.)
			return PreTokenGenerationV2, nil
		}
		return 0, &VersionError{Source: source, Version: version, Want: `"1", "2" or "3"`}
	}
}

// versionAbove3 reports whether v is a decimal integer above 3, such as
// "4" or "10".
func versionAbove3(v string) bool {
	if v == "" || len(v) > 9 || v[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
		n = n*10 + int(v[i]-'0')
	}
	return n > 3
}
