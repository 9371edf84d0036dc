package messages_test

import (
	"context"
	"fmt"
	"html"

	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
)

func Example() {
	catalog, err := messages.New(messages.Config{
		DefaultLocale: "en",
		Templates: map[string]map[messages.Kind]messages.Template{
			"en": {messages.SignUp: {SMS: "Your code is {{.Code}}"}},
			"fr": {messages.SignUp: {SMS: "Votre code est {{.Code}}"}},
		},
	})
	if err != nil {
		panic(err)
	}
	ev := &triggers.CustomMessageEvent{}
	ev.TriggerSource = triggers.CustomMessageSignUp
	ev.Request.CodeParameter = "{####}"
	ev.Request.UserAttributes = triggers.Attributes{"locale": "fr-CA"}
	if err := catalog.CustomMessage(context.Background(), ev); err != nil {
		panic(err)
	}
	fmt.Println(ev.Response.SMSMessage)
	// Output: Votre code est {####}
}

// Messages written in Go instead of templates start faster: nothing is
// parsed, and a program that never executes a template links less. Every
// value shown in an email is escaped with html.EscapeString; NewFuncs
// refuses an email that shows one as markup.
func ExampleNewFuncs() {
	signUp := messages.Funcs{
		Subject: func(messages.Data) string { return "Confirm your email address" },
		Email: func(d messages.Data) string {
			return "<p>Hello " + html.EscapeString(d.Attributes["given_name"]) + ", your code is <b>" + html.EscapeString(d.Code) + "</b>.</p>"
		},
		SMS: func(d messages.Data) string { return "Your code is " + d.Code },
	}
	catalog, err := messages.NewFuncs(messages.FuncsConfig{
		DefaultLocale: "en",
		Messages:      map[string]map[messages.Kind]messages.Funcs{"en": {messages.SignUp: signUp}},
	})
	if err != nil {
		panic(err)
	}
	ev := &triggers.CustomMessageEvent{}
	ev.TriggerSource = triggers.CustomMessageSignUp
	ev.Request.CodeParameter = "{####}"
	ev.Request.UserAttributes = triggers.Attributes{"given_name": "<b>Ann</b>"}
	if err := catalog.CustomMessage(context.Background(), ev); err != nil {
		panic(err)
	}
	fmt.Println(ev.Response.EmailMessage)
	fmt.Println(ev.Response.SMSMessage)
	// Output:
	// <p>Hello &lt;b&gt;Ann&lt;/b&gt;, your code is <b>{####}</b>.</p>
	// Your code is {####}
}

// A template that drops Cognito's placeholder is refused when the catalog
// is built, not when a user signs up.
func ExampleNew_missingPlaceholder() {
	_, err := messages.New(messages.Config{
		DefaultLocale: "en",
		Templates: map[string]map[messages.Kind]messages.Template{
			"en": {messages.AdminCreateUser: {SMS: "Welcome! Your temporary password is {{.Code}}"}},
		},
	})
	fmt.Println(err)
	// Output: messages: template en/AdminCreateUser sms: does not contain the user name ({{.Username}} renders as {username}); Cognito would send a message without it. Put it in text, not inside a URL or a false branch
}

// An account-takeover warning shows what was done and offers Cognito's two
// feedback links; a template without them is refused.
func ExampleAccountTakeOverOf() {
	catalog, err := messages.New(messages.Config{
		DefaultLocale: "en",
		Templates: map[string]map[messages.Kind]messages.Template{"en": {messages.AccountTakeOverNotification: {
			Subject: "Unusual sign-in",
			Email: `<p>{{if eq .AccountTakeOver.Action "BLOCK"}}We blocked{{else}}We noticed{{end}} a sign-in from {{.AccountTakeOver.IPAddress}}.</p>` +
				`<p><a href="{{.AccountTakeOver.ValidLink}}">It was me</a> <a href="{{.AccountTakeOver.InvalidLink}}">It was not me</a></p>`,
		}}},
	})
	if err != nil {
		panic(err)
	}
	// The userAttributes of a CustomEmailSender_AccountTakeOverNotification event.
	a := messages.AccountTakeOverOf(map[string]string{
		"ACCOUNT_TAKE_OVER_ACTION": "BLOCK", "IP_ADDRESS": "192.0.2.44",
		"ONE_CLICK_LINK_VALID": "https://feedback.example/v", "ONE_CLICK_LINK_INVALID": "https://feedback.example/i",
		"FEEDBACK_TOKEN": "fbt-1",
	})
	m, err := catalog.Render(messages.AccountTakeOverNotification, messages.Data{AccountTakeOver: a})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Email)
	fmt.Println(a) // without the links and the token
	// Output:
	// <p>We blocked a sign-in from 192.0.2.44.</p><p><a href="https://feedback.example/v">It was me</a> <a href="https://feedback.example/i">It was not me</a></p>
	// messages.AccountTakeOver{Action:BLOCK EventID: IPAddress:192.0.2.44 Links:true}
}

// CheckFuncs, called from a test, finds what NewFuncs's single sample
// cannot: here the fallback to the user name, taken only when the user has
// no given name, shows the name unescaped.
func ExampleCheckFuncs() {
	cfg := messages.FuncsConfig{DefaultLocale: "en", Messages: map[string]map[messages.Kind]messages.Funcs{"en": {
		messages.SignUp: {
			Subject: func(messages.Data) string { return "Confirm your email address" },
			Email: func(d messages.Data) string {
				name := html.EscapeString(d.Attributes["given_name"])
				if name == "" {
					name = d.Username // not escaped
				}
				return "<p>Hello " + name + ", your code is " + html.EscapeString(d.Code) + ".</p>"
			},
		},
	}}}
	_, err := messages.NewFuncs(cfg)
	fmt.Println("NewFuncs:", err)
	fmt.Println("CheckFuncs:", messages.CheckFuncs(cfg))
	// Output:
	// NewFuncs: <nil>
	// CheckFuncs: messages: message en/SignUp email: shows Data.Username without escaping it for HTML, so a user could put markup or links into the email; wrap it in html.EscapeString
}
