// Package example is a minimal illustration, one short handler per Cognito
// trigger on package triggers alone; for production use the real packages:
// customauth (custom authentication), tenancy (invitations, tenant claims),
// migration (lazy migration) and lifecycle/... (messages, senders, policies).
//
// `cognitrig replay` runs recorded events through it, and `make demo` opens
// with them before it runs the real packages' flows. Each handler shows the
// typical use of its trigger in a few lines and no more: its custom
// authentication, for one, is a single fixed code, where customauth derives
// a whole challenge sequence with one-time codes, CAPTCHAs and magic links.
package example

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cognitrig/cognitrig/triggers"
)

// Config configures the example handlers.
type Config struct {
	// AutoConfirmDomain auto-confirms self sign-ups whose email is in this
	// domain. Empty auto-confirms nobody.
	AutoConfirmDomain string
	// LegacyUsers are the users that the example migration handler knows,
	// by user name; their password is the Secret.
	LegacyUsers map[string]LegacyUser
}

// LegacyUser is a user of the example's in-memory legacy directory.
type LegacyUser struct {
	Password triggers.Secret
	Email    string
	Name     string
}

// DefaultConfig is the configuration that `cognitrig replay` uses: it knows
// the user of the recorded migration events.
func DefaultConfig() Config {
	return Config{
		AutoConfirmDomain: "example.com",
		LegacyUsers: map[string]LegacyUser{
			"legacy.user@example.com": {Password: "pw-SECRET-Tr0ub4dor&3", Email: "legacy.user@example.com", Name: "Legacy User"},
		},
	}
}

// NewRouter returns a router with an example handler for every trigger,
// wrapped in opts (typically triggers.WithMiddleware(triggers.Default(logger)...)).
func NewRouter(logger *slog.Logger, cfg Config, opts ...triggers.Option) *triggers.Router {
	r := triggers.NewRouter(opts...)
	r.PreSignUp(func(_ context.Context, ev *triggers.PreSignUpEvent) error {
		if _, set := ev.Request.UserAttributes["custom:tenantId"]; set {
			return triggers.Refuse("The tenant of a new account is set by invitation only.")
		}
		email := ev.Request.UserAttributes["email"]
		if ev.TriggerSource == triggers.PreSignUpSignUp && cfg.AutoConfirmDomain != "" &&
			strings.HasSuffix(strings.ToLower(email), "@"+cfg.AutoConfirmDomain) {
			ev.Response.AutoConfirmUser = true
			ev.Response.AutoVerifyEmail = true
		}
		return nil
	})
	r.PostConfirmation(func(ctx context.Context, ev *triggers.PostConfirmationEvent) error {
		logger.InfoContext(ctx, "welcome", "userName", ev.UserName, "source", string(ev.TriggerSource))
		return nil
	})
	r.PreAuthentication(func(_ context.Context, ev *triggers.PreAuthenticationEvent) error {
		if ev.Request.UserAttributes["custom:disabled"] == "true" {
			return triggers.Refuse("This account is disabled. Contact your administrator.")
		}
		return nil
	})
	r.PostAuthentication(func(ctx context.Context, ev *triggers.PostAuthenticationEvent) error {
		if ev.Request.NewDeviceUsed {
			logger.InfoContext(ctx, "sign-in from a new device", "userName", ev.UserName)
		}
		return nil
	})
	registerCustomAuth(r)
	r.PreTokenGenerationV1(func(_ context.Context, ev *triggers.PreTokenGenerationV1Event) error {
		if tenant := ev.Request.UserAttributes["custom:tenantId"]; tenant != "" {
			ev.Response.Details().ClaimsToAddOrOverride = map[string]string{"tenant_id": tenant}
		}
		return nil
	})
	r.PreTokenGenerationV2(func(_ context.Context, ev *triggers.PreTokenGenerationV2Event) error {
		d := ev.Response.Details()
		if ev.TriggerSource == triggers.TokenGenerationClientCredentials {
			d.AccessToken().ClaimsToAddOrOverride = map[string]any{"client_tier": "standard"}
			return nil
		}
		tenant := ev.Request.UserAttributes["custom:tenantId"]
		if tenant == "" {
			return nil
		}
		d.IDToken().ClaimsToAddOrOverride = map[string]any{"tenant_id": tenant}
		at := d.AccessToken()
		at.ClaimsToAddOrOverride = map[string]any{"tenant_id": tenant}
		at.ScopesToAdd = []string{"tenant:" + tenant + ":read"}
		return nil
	})
	r.UserMigration(func(_ context.Context, ev *triggers.UserMigrationEvent) error {
		u, ok := cfg.LegacyUsers[ev.UserName]
		// One message for "no such user" and "wrong password": no enumeration.
		const refused = "Incorrect username or password."
		if !ok {
			return triggers.Refuse(refused)
		}
		if ev.TriggerSource == triggers.UserMigrationAuthentication &&
			subtle.ConstantTimeCompare([]byte(ev.Request.Password.Reveal()), []byte(u.Password.Reveal())) != 1 {
			return triggers.Refuse(refused)
		}
		ev.Response.UserAttributes = map[string]string{"email": u.Email, "email_verified": "true", "name": u.Name}
		ev.Response.MessageAction = triggers.MessageActionSuppress
		if ev.TriggerSource == triggers.UserMigrationAuthentication {
			ev.Response.FinalUserStatus = triggers.UserStatusConfirmed
		}
		return nil
	})
	r.CustomMessage(func(_ context.Context, ev *triggers.CustomMessageEvent) error {
		code := ev.Request.CodeParameter.Reveal() // a placeholder such as {####}
		switch ev.TriggerSource {
		case triggers.CustomMessageSignUp, triggers.CustomMessageResendCode:
			ev.Response.EmailSubject = "Welcome: confirm your email"
			ev.Response.EmailMessage = "<p>Your confirmation code is <b>" + code + "</b>.</p>"
			ev.Response.SMSMessage = "Your confirmation code is " + code
		case triggers.CustomMessageAdminCreateUser:
			ev.Response.EmailSubject = "Your new account"
			ev.Response.EmailMessage = fmt.Sprintf("<p>User name: %s<br>Temporary password: %s</p>", ev.Request.UsernameParameter, code)
			ev.Response.SMSMessage = fmt.Sprintf("User name %s, temporary password %s", ev.Request.UsernameParameter, code)
		case triggers.CustomMessageForgotPassword:
			ev.Response.EmailSubject = "Reset your password"
			ev.Response.EmailMessage = "<p>Your reset code is <b>" + code + "</b>.</p>"
			ev.Response.SMSMessage = "Your reset code is " + code
		default:
			ev.Response.SMSMessage = "Your code is " + code
		}
		return nil
	})
	send := func(ctx context.Context, ev *triggers.CustomSenderEvent) error {
		// The code is ciphertext here; a real sender decrypts it with the AWS
		// Encryption SDK and delivers it. The Secret type keeps it out of logs.
		logger.InfoContext(ctx, "custom sender", "source", string(ev.TriggerSource), "code", ev.Request.Code)
		return nil
	}
	r.CustomEmailSender(send)
	r.CustomSMSSender(send)
	r.InboundFederation(func(_ context.Context, ev *triggers.InboundFederationEvent) error {
		attrs := ev.Request.Attributes
		email := attrs.IDToken["email"]
		if email == "" {
			email = attrs.UserInfo["email"]
		}
		if email == "" {
			for k, v := range attrs.SAMLResponse {
				if strings.HasSuffix(k, "/emailaddress") {
					email = v
				}
			}
		}
		if email != "" {
			ev.Response.UserAttributesToMap = map[string]string{"email": email}
		}
		return nil
	})
	return r
}

// registerCustomAuth registers a one-step flow: a single custom challenge,
// three tries, whose answer is checked against a private parameter. The
// code is fixed and sent nowhere, which only an illustration may do;
// customauth derives these handlers from a declared sequence instead, with
// one-time codes that are sent, expire and are never in the parameters.
func registerCustomAuth(r *triggers.Router) {
	r.DefineAuthChallenge(func(_ context.Context, ev *triggers.DefineAuthChallengeEvent) error {
		s := ev.Request.Session
		wrong := 0 // wrong answers to the code; earlier rounds (a password) are Cognito's
		for _, r := range s {
			if r.ChallengeName == triggers.ChallengeCustom && !r.ChallengeResult {
				wrong++
			}
		}
		switch {
		case ev.Request.UserNotFound || wrong >= 3 || len(s) > 8:
			ev.Response.FailAuthentication = true
		case len(s) > 0 && s[len(s)-1].ChallengeName == triggers.ChallengeCustom && s[len(s)-1].ChallengeResult:
			ev.Response.IssueTokens = true
		default:
			ev.Response.ChallengeName = triggers.ChallengeCustom
		}
		return nil
	})
	r.CreateAuthChallenge(func(_ context.Context, ev *triggers.CreateAuthChallengeEvent) error {
		ev.Response.ChallengeMetadata = "DEMO_CODE"
		ev.Response.PublicChallengeParameters = map[string]string{"hint": "enter the 6-digit code"}
		ev.Response.PrivateChallengeParameters = triggers.SecretMap{"answer": "123456"}
		return nil
	})
	r.VerifyAuthChallengeResponse(func(_ context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) error {
		want, ok := ev.Request.PrivateChallengeParameters["answer"]
		ev.Response.AnswerCorrect = ok && subtle.ConstantTimeCompare([]byte(ev.Request.ChallengeAnswer.Reveal()), []byte(want)) == 1
		return nil
	})
}
