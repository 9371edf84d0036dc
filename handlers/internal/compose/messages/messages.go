package messages

import (
	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
)

// DefaultTemplates are the messages of the deployed functions, in English:
// one template per kind, each with the placeholders Cognito needs.
func DefaultTemplates() messages.Config {
	const sign = `<p>If you did not ask for this, you can ignore this email.</p>`
	return messages.Config{
		DefaultLocale: "en",
		Templates: map[string]map[messages.Kind]messages.Template{"en": {
			messages.SignUp: {
				Subject: "Confirm your email address",
				Email:   `<p>Welcome! Your confirmation code is <b>{{.Code}}</b>.</p>` + sign,
				SMS:     "Your confirmation code is {{.Code}}",
			},
			messages.ResendCode: {
				Subject: "Your confirmation code",
				Email:   `<p>Your confirmation code is <b>{{.Code}}</b>.</p>` + sign,
				SMS:     "Your confirmation code is {{.Code}}",
			},
			messages.AdminCreateUser: {
				Subject: "Your new account",
				Email:   `<p>An account was created for you.</p><p>User name: <b>{{.Username}}</b><br>Temporary password: <b>{{.Code}}</b></p><p>You will choose a new password when you first sign in.</p>`,
				SMS:     "Your user name is {{.Username}} and your temporary password is {{.Code}}",
			},
			messages.ForgotPassword: {
				Subject: "Reset your password",
				Email:   `<p>Your password reset code is <b>{{.Code}}</b>.</p>` + sign,
				SMS:     "Your password reset code is {{.Code}}",
			},
			messages.UpdateUserAttribute: {
				Subject: "Confirm your new contact details",
				Email:   `<p>Your verification code is <b>{{.Code}}</b>.</p>` + sign,
				SMS:     "Your verification code is {{.Code}}",
			},
			messages.VerifyUserAttribute: {
				Subject: "Verify your contact details",
				Email:   `<p>Your verification code is <b>{{.Code}}</b>.</p>` + sign,
				SMS:     "Your verification code is {{.Code}}",
			},
			messages.Authentication: {
				Subject: "Your sign-in code",
				Email:   `<p>Your sign-in code is <b>{{.Code}}</b>.</p>` + sign,
				SMS:     "Your sign-in code is {{.Code}}",
			},
			// Cognito's own warning offers the same two links ("Threat
			// protection", notification messages); the event carries them.
			messages.AccountTakeOverNotification: {
				Subject: "Unusual sign-in to your account",
				Email: `<p>We noticed an unusual sign-in to your account{{with .AccountTakeOver.LoginTime}} on {{.}}{{end}}` +
					`{{with .AccountTakeOver.IPAddress}} from {{.}}{{end}}{{with .AccountTakeOver.City}} ({{.}}{{with $.AccountTakeOver.Country}}, {{.}}{{end}}){{end}}` +
					`{{with .AccountTakeOver.DeviceName}} with {{.}}{{end}}.</p>` +
					`<p>{{if eq .AccountTakeOver.Action "BLOCK"}}We blocked this sign-in.` +
					`{{else if eq .AccountTakeOver.Action "NO_ACTION"}}We allowed this sign-in.` +
					`{{else}}We asked for a second factor to sign in.{{end}}</p>` +
					`<p>Was this you? <a href="{{.AccountTakeOver.ValidLink}}">Yes, it was me</a> · ` +
					`<a href="{{.AccountTakeOver.InvalidLink}}">No, it was not me</a></p>` +
					`<p>If it was not you, change your password now.</p>`,
				SMS: `Unusual sign-in to your account ({{.AccountTakeOver.Action}}). Was it you? Yes: {{.AccountTakeOver.ValidLink}} No: {{.AccountTakeOver.InvalidLink}}`,
			},
		}},
	}
}

// Messages is the messages concern: CustomMessage with DefaultTemplates,
// and, when COGNITRIG_KMS_KEY_ARN is set, the custom email and SMS senders,
// which decrypt the code with that KMS key (AWS Encryption SDK) and deliver
// through Amazon SES (from COGNITRIG_EMAIL_FROM, then required) and Amazon
// SNS; account-takeover warnings go to the user's email address, looked up
// with AdminGetUser (the role needs cognito-idp:AdminGetUser). A build with the tag cognitrig_nosenders has no senders (and is
// 15 to 19 MB smaller); with the variable set it refuses to start.
func Messages(d *compose.Deps, r *triggers.Router) {
	catalog, err := messages.New(DefaultTemplates())
	if err != nil {
		d.Invalid("templates", err) // a defect of this package; its test catches it
		return
	}
	r.CustomMessage(catalog.CustomMessage)

	c, err := config.LoadMessages(d.Lookup)
	if c.KMSKeyARN == "" {
		d.Fail(err)
		return
	}
	customSenders(d, r, catalog, c, err)
}
