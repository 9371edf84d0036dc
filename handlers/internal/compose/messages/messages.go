package messages

import (
	"html"
	"net/url"
	"strings"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
)

// DefaultMessages are the messages of the deployed functions, in English:
// one message per kind, each with the placeholders Cognito needs. They are
// written as messages.Funcs, not templates, so that the function executes
// no template: that brought its cold start from 1.21 to about 1.13 times
// the bare bootstrap's (BENCHMARKS.md, "Cold start per concern"), and
// halved the binary, since the linker no longer keeps every exported
// method for templates to call.
func DefaultMessages() messages.FuncsConfig {
	return messages.FuncsConfig{
		DefaultLocale: "en",
		Messages: map[string]map[messages.Kind]messages.Funcs{"en": {
			messages.SignUp:              codeMessage("Confirm your email address", "Welcome! ", "Your confirmation code is"),
			messages.ResendCode:          codeMessage("Your confirmation code", "", "Your confirmation code is"),
			messages.ForgotPassword:      codeMessage("Reset your password", "", "Your password reset code is"),
			messages.UpdateUserAttribute: codeMessage("Confirm your new contact details", "", "Your verification code is"),
			messages.VerifyUserAttribute: codeMessage("Verify your contact details", "", "Your verification code is"),
			messages.Authentication:      codeMessage("Your sign-in code", "", "Your sign-in code is"),
			messages.AdminCreateUser: {
				Subject: func(messages.Data) string { return "Your new account" },
				Email: func(d messages.Data) string {
					return "<p>An account was created for you.</p><p>User name: <b>" + html.EscapeString(d.Username) +
						"</b><br>Temporary password: <b>" + html.EscapeString(d.Code) +
						"</b></p><p>You will choose a new password when you first sign in.</p>"
				},
				SMS: func(d messages.Data) string {
					return "Your user name is " + d.Username + " and your temporary password is " + d.Code
				},
			},
			// Cognito's own warning offers the same two links ("Threat
			// protection", notification messages); the event carries them.
			messages.AccountTakeOverNotification: {
				Subject: func(messages.Data) string { return "Unusual sign-in to your account" },
				Email:   accountTakeOverEmail,
				SMS: func(d messages.Data) string {
					a := d.AccountTakeOver
					return "Unusual sign-in to your account (" + a.Action + "). Was it you? Yes: " + a.ValidLink + " No: " + a.InvalidLink
				},
			},
		}},
	}
}

// ignore closes every email that sends a code.
const ignore = `<p>If you did not ask for this, you can ignore this email.</p>`

// codeMessage is a message that sends the code: the SMS is text and the
// code, the email lead, text and the code in bold.
func codeMessage(subject, lead, text string) messages.Funcs {
	return messages.Funcs{
		Subject: func(messages.Data) string { return subject },
		Email: func(d messages.Data) string {
			return "<p>" + lead + text + " <b>" + html.EscapeString(d.Code) + "</b>.</p>" + ignore
		},
		SMS: func(d messages.Data) string { return text + " " + d.Code },
	}
}

func accountTakeOverEmail(d messages.Data) string {
	a := d.AccountTakeOver
	var b strings.Builder
	b.WriteString("<p>We noticed an unusual sign-in to your account")
	for _, part := range []struct{ before, value string }{{" on ", a.LoginTime}, {" from ", a.IPAddress}} {
		if part.value != "" {
			b.WriteString(part.before + html.EscapeString(part.value))
		}
	}
	if a.City != "" {
		b.WriteString(" (" + html.EscapeString(a.City))
		if a.Country != "" {
			b.WriteString(", " + html.EscapeString(a.Country))
		}
		b.WriteString(")")
	}
	if a.DeviceName != "" {
		b.WriteString(" with " + html.EscapeString(a.DeviceName))
	}
	b.WriteString(".</p><p>")
	switch a.Action {
	case messages.ActionBlock:
		b.WriteString("We blocked this sign-in.")
	case messages.ActionNoAction:
		b.WriteString("We allowed this sign-in.")
	default:
		b.WriteString("We asked for a second factor to sign in.")
	}
	b.WriteString(`</p><p>Was this you? <a href="` + html.EscapeString(webLink(a.ValidLink)) + `">Yes, it was me</a> · ` +
		`<a href="` + html.EscapeString(webLink(a.InvalidLink)) + `">No, it was not me</a></p>` +
		`<p>If it was not you, change your password now.</p>`)
	return b.String()
}

// webLink returns link if it is an http or https URL, and "#" otherwise,
// so that no other scheme (javascript:) reaches an href, as html/template
// would also refuse it.
func webLink(link string) string {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "#"
	}
	return link
}

// Messages is the messages concern: CustomMessage with DefaultMessages,
// and, when COGNITRIG_KMS_KEY_ARN is set, the custom email and SMS senders,
// which decrypt the code with that KMS key (AWS Encryption SDK) and deliver
// through Amazon SES (from COGNITRIG_EMAIL_FROM, then required) and Amazon
// SNS; account-takeover warnings go to the user's email address, looked up
// with AdminGetUser (the role needs cognito-idp:AdminGetUser). A build with the tag cognitrig_nosenders has no senders (and is
// 6 to 8 MB smaller); with the variable set it refuses to start.
func Messages(d *compose.Deps, r *triggers.Router) {
	c, err := config.LoadMessages(d.Lookup)
	all := DefaultMessages()
	if c.KMSKeyARN == "" {
		// Only the custom email sender sends account-takeover warnings:
		// without it, checking that message would only slow the start.
		delete(all.Messages["en"], messages.AccountTakeOverNotification)
	}
	catalog, cerr := messages.NewFuncs(all)
	if cerr != nil {
		d.Invalid("templates", cerr) // a defect of this package; its test catches it
		return
	}
	r.CustomMessage(catalog.CustomMessage)

	if c.KMSKeyARN == "" {
		d.Fail(err)
		return
	}
	customSenders(d, r, catalog, c, err)
}
