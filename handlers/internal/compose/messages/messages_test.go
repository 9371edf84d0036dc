package messages_test

import (
	"strings"
	"testing"

	cm "github.com/cognitrig/cognitrig/handlers/internal/compose/messages"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
)

// templates are the deployed messages as they were written before they
// became messages.Funcs (until 2026-12-01): the reference that
// DefaultMessages must render the same as.
func templates() messages.Config {
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

// TestDefaultMessagesRenderAsTheTemplates: every kind, in a custom message
// (Cognito's placeholders) and in a custom sender (plain values, some with
// characters HTML must escape in every field), renders the same subject,
// SMS and email as the templates did, byte for byte but for "+", which
// html/template writes as "&#43;".
func TestDefaultMessagesRenderAsTheTemplates(t *testing.T) {
	funcs, err := messages.NewFuncs(cm.DefaultMessages())
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := messages.New(templates())
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"email": "ann@example.com", "given_name": "<b>Ann</b>", "locale": "en-GB"}
	data := map[string]messages.Data{
		"custom message": {Code: messages.CodePlaceholder, Username: messages.UsernamePlaceholder, Link: messages.LinkPlaceholder, Attributes: attrs},
		"custom sender":  {Code: `P4ss+<w>&"o'rd`, Username: "ann<i>&co", Link: "https://example.com/v?a=1&b=2", Attributes: attrs},
		"no attributes":  {Code: "123456", Username: "ann"},
	}
	links := func(a messages.AccountTakeOver) messages.AccountTakeOver {
		a.ValidLink = "https://auth.example.com/confirm?token=tok1&valid=true"
		a.InvalidLink = "https://auth.example.com/confirm?token=tok1&valid=false"
		return a
	}
	for _, action := range []string{messages.ActionBlock, messages.ActionMFAIfConfigured, messages.ActionMFARequired, messages.ActionNoAction, "MFA", ""} {
		data["takeover "+action+" all fields"] = messages.Data{Username: "ann", AccountTakeOver: links(messages.AccountTakeOver{
			Action: action, IPAddress: "192.0.2.1<x>", LoginTime: "Friday, March 19, 2021 02:25 PM UTC & 'later'",
			City: "São <Paulo>", Country: "Brazil & co", DeviceName: `Chrome "1"`})}
		data["takeover "+action+" no place"] = messages.Data{Username: "ann", AccountTakeOver: links(messages.AccountTakeOver{Action: action})}
		data["takeover "+action+" city only"] = messages.Data{Username: "ann", AccountTakeOver: links(messages.AccountTakeOver{Action: action, City: "Lyon"})}
		data["takeover "+action+" country only"] = messages.Data{Username: "ann", AccountTakeOver: links(messages.AccountTakeOver{Action: action, Country: "France"})}
	}
	for _, k := range messages.Kinds() {
		for name, d := range data {
			if (k == messages.AccountTakeOverNotification) != strings.HasPrefix(name, "takeover") {
				continue
			}
			got, err := funcs.Render(k, d)
			if err != nil {
				t.Fatalf("%s %s: %v", k, name, err)
			}
			want, err := tmpl.Render(k, d)
			if err != nil {
				t.Fatalf("%s %s: %v", k, name, err)
			}
			if got.Subject != want.Subject || got.SMS != want.SMS {
				t.Errorf("%s %s:\nsubject %q\n   want %q\nsms %q\nwant %q", k, name, got.Subject, want.Subject, got.SMS, want.SMS)
			}
			if got.Email != strings.ReplaceAll(want.Email, "&#43;", "+") {
				t.Errorf("%s %s: email\n%s\nwant\n%s", k, name, got.Email, want.Email)
			}
			for _, raw := range []string{"<b>Ann", "<i>", "<Paulo>", `"1"`, "& co", `"o'rd`, "<x>", "'later'"} {
				if strings.Contains(got.Email, raw) {
					t.Errorf("%s %s: the email shows %q unescaped:\n%s", k, name, raw, got.Email)
				}
			}
		}
	}
}

// The deployed messages pass the thorough checks, which NewFuncs leaves
// out at start-up.
func TestDefaultMessagesPassCheckFuncs(t *testing.T) {
	if err := messages.CheckFuncs(cm.DefaultMessages()); err != nil {
		t.Fatal(err)
	}
}

// A link of another scheme than http(s) never reaches an href.
func TestAccountTakeOverEmailRefusesOtherSchemes(t *testing.T) {
	c, err := messages.NewFuncs(cm.DefaultMessages())
	if err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//evil.example/x", "https:/no-host", "\x00https://x"} {
		m, err := c.Render(messages.AccountTakeOverNotification, messages.Data{AccountTakeOver: messages.AccountTakeOver{
			Action: messages.ActionBlock, ValidLink: link, InvalidLink: "https://auth.example.com/ok"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Email, `<a href="#">Yes, it was me</a>`) || !strings.Contains(m.Email, `<a href="https://auth.example.com/ok">No`) {
			t.Errorf("link %q:\n%s", link, m.Email)
		}
	}
}

// BenchmarkNewFuncsDefault is the catalog's share of the messages
// function's cold start; BenchmarkNewTemplatesDefault the same messages as
// the templates they replaced.
func BenchmarkNewFuncsDefault(b *testing.B) {
	for b.Loop() {
		if _, err := messages.NewFuncs(cm.DefaultMessages()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewTemplatesDefault(b *testing.B) {
	for b.Loop() {
		if _, err := messages.New(templates()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckFuncsDefault is the thorough check, which runs in tests.
func BenchmarkCheckFuncsDefault(b *testing.B) {
	for b.Loop() {
		if err := messages.CheckFuncs(cm.DefaultMessages()); err != nil {
			b.Fatal(err)
		}
	}
}
