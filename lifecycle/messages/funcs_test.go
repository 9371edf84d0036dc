package messages_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/netip"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
)

func text(s string) func(messages.Data) string { return func(messages.Data) string { return s } }

// codeFuncs is a message of every part that sends the code, greeting the
// user by given name when there is one.
func codeFuncs(lang string) messages.Funcs {
	return messages.Funcs{
		Subject: text(lang + " subject"),
		Email: func(d messages.Data) string {
			hello := ""
			if n := d.Attributes["given_name"]; n != "" {
				hello = html.EscapeString(n) + ", "
			}
			return "<p>" + lang + " " + hello + "your code is <b>" + html.EscapeString(d.Code) + "</b></p>"
		},
		SMS: func(d messages.Data) string { return lang + " code " + d.Code },
	}
}

func newFuncsCatalog(t testing.TB) *messages.Catalog {
	t.Helper()
	c, err := messages.NewFuncs(messages.FuncsConfig{DefaultLocale: "en", Messages: map[string]map[messages.Kind]messages.Funcs{
		"en":    {messages.SignUp: codeFuncs("en"), messages.ForgotPassword: codeFuncs("en")},
		"pt_BR": {messages.SignUp: codeFuncs("pt-BR")},
	}})
	if err != nil {
		t.Fatalf("NewFuncs: %v", err)
	}
	return c
}

func TestNewFuncsRendersLikeTemplates(t *testing.T) {
	c := newFuncsCatalog(t)
	ev := &triggers.CustomMessageEvent{}
	ev.TriggerSource = triggers.CustomMessageSignUp
	ev.Request.CodeParameter = messages.CodePlaceholder
	ev.Request.UserAttributes = triggers.Attributes{"locale": "pt-BR", "given_name": "<i>Ana</i>"}
	if err := c.CustomMessage(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if ev.Response.SMSMessage != "pt-BR code {####}" || ev.Response.EmailSubject != "pt-BR subject" ||
		ev.Response.EmailMessage != "<p>pt-BR &lt;i&gt;Ana&lt;/i&gt;, your code is <b>{####}</b></p>" {
		t.Errorf("response %+v", ev.Response)
	}
	// A locale without the kind falls back to the default locale.
	ev.TriggerSource = triggers.CustomMessageForgotPassword
	if err := c.CustomMessage(context.Background(), ev); err != nil || ev.Response.SMSMessage != "en code {####}" {
		t.Errorf("fallback: %q, %v", ev.Response.SMSMessage, err)
	}
	// A kind no locale has keeps Cognito's default.
	ev.TriggerSource = triggers.CustomMessageAuthentication
	ev.Response = triggers.CustomMessageResponse{}
	if err := c.CustomMessage(context.Background(), ev); err != nil || ev.Response != (triggers.CustomMessageResponse{}) {
		t.Errorf("no message: %+v, %v", ev.Response, err)
	}
}

func TestNewFuncsRefuses(t *testing.T) {
	atoLinks := func(d messages.Data) string {
		return html.EscapeString(d.AccountTakeOver.ValidLink) + " " + html.EscapeString(d.AccountTakeOver.InvalidLink)
	}
	cases := []struct {
		name string
		kind messages.Kind
		f    messages.Funcs
		want string // in the error
	}{
		{"email without code", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: text("<p>Welcome!</p>")},
			"email: does not contain the code (Data.Code renders as {####})"},
		{"code only with an attribute", messages.SignUp, messages.Funcs{SMS: func(d messages.Data) string {
			if d.Attributes["name"] == "" {
				return "Welcome"
			}
			return "code " + d.Code
		}}, "sms: does not contain the code"},
		{"admin create without user name", messages.AdminCreateUser,
			messages.Funcs{SMS: func(d messages.Data) string { return "password " + d.Code }}, "sms: does not contain the user name (Data.Username"},
		{"link message without link", messages.SignUp,
			messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string { return d.Code }, VerifyByLink: true}, "does not contain the verification link"},
		{"email shows the code unescaped", messages.SignUp,
			messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string { return "<p>" + d.Code + "</p>" }}, "email: shows Data.Code without escaping it for HTML"},
		{"email shows an attribute unescaped", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return "<p>" + d.Attributes["given_name"] + " " + html.EscapeString(d.Code) + "</p>"
		}}, `shows Data.Attributes["given_name"] without escaping it`},
		{"email shows the user name unescaped", messages.AdminCreateUser, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return d.Username + " " + html.EscapeString(d.Code)
		}}, "shows Data.Username without escaping it"},
		{"takeover shows the device unescaped", messages.AccountTakeOverNotification, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return d.AccountTakeOver.Action + " " + d.AccountTakeOver.DeviceName + " " + atoLinks(d)
		}}, "shows Data.AccountTakeOver.DeviceName without escaping it"},
		{"takeover shows an event attribute unescaped", messages.AccountTakeOverNotification, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return d.AccountTakeOver.Action + " " + d.Attributes["DEVICE_NAME"] + " " + atoLinks(d)
		}}, `shows Data.Attributes["DEVICE_NAME"] without escaping it`},
		{"takeover escapes only when blocked", messages.AccountTakeOverNotification, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			device := d.AccountTakeOver.DeviceName
			if d.AccountTakeOver.Action == messages.ActionBlock {
				device = html.EscapeString(device)
			}
			return d.AccountTakeOver.Action + " " + device + " " + atoLinks(d)
		}}, "shows Data.AccountTakeOver.DeviceName without escaping it"},
		{"takeover country unescaped without a city", messages.AccountTakeOverNotification, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			a := d.AccountTakeOver
			place := html.EscapeString(a.City)
			if a.City == "" {
				place = a.Country
			}
			return a.Action + " " + place + " " + atoLinks(d)
		}}, "shows Data.AccountTakeOver.Country without escaping it"},
		{"fallback attribute unescaped", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			name := html.EscapeString(d.Attributes["given_name"])
			if name == "" {
				name = d.Attributes["name"]
			}
			return "Hello " + name + ", " + html.EscapeString(d.Code)
		}}, `shows Data.Attributes["name"] without escaping it`},
		{"unescaped only without attributes", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			name := html.EscapeString(d.Attributes["given_name"])
			if name == "" {
				name = d.Username
			}
			return "Hello " + name + ", " + html.EscapeString(d.Code)
		}}, "shows Data.Username without escaping it"},
		{"unescaped locale attribute", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return `<p lang="` + d.Attributes["locale"] + `">` + html.EscapeString(d.Code)
		}}, `shows Data.Attributes["locale"] without escaping it`},
		{"upper-cased unescaped", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return strings.ToUpper(d.Attributes["family_name"]) + html.EscapeString(d.Code)
		}}, `shows Data.Attributes["family_name"] without escaping it`},
		{"quotes left unescaped", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			name := strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(d.Attributes["name"])
			return `<img alt="` + name + `">` + html.EscapeString(d.Code)
		}}, `shows Data.Attributes["name"] without escaping it`},
		{"single quotes left unescaped", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			name := strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", `"`, "&#34;").Replace(d.Attributes["name"])
			return `<img alt='` + name + `'>` + html.EscapeString(d.Code)
		}}, `shows Data.Attributes["name"] without escaping it`},
		{"user's website as a link", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return `<a href="` + html.EscapeString(d.Attributes["website"]) + `">you</a> ` + html.EscapeString(d.Code)
		}}, `starts a link (href, src, ...) with Data.Attributes["website"], which a user chooses, without checking it`},
		{"user name as an unquoted link", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return `<a href=` + html.EscapeString(d.Username) + `>you</a> ` + html.EscapeString(d.Code)
		}}, `starts a link (href, src, ...) with Data.Username`},
		{"given name unescaped without a family name", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			name := html.EscapeString(d.Attributes["given_name"])
			if d.Attributes["family_name"] == "" {
				name = d.Attributes["given_name"]
			}
			return name + " " + html.EscapeString(d.Code)
		}}, `shows Data.Attributes["given_name"] without escaping it`},
		{"panics as a sender", messages.SignUp, messages.Funcs{SMS: func(d messages.Data) string {
			if d.Code != messages.CodePlaceholder {
				var parts []string
				return parts[len(d.Code)]
			}
			return d.Code
		}}, "does not execute as a custom sender calls it (the code 123456, sample attributes): the SMS function panicked: runtime error: index out of range [6]"},
		{"link after a slash", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return `<a/href="` + html.EscapeString(d.Attributes["website"]) + `">site</a>` + html.EscapeString(d.Code)
		}}, `starts a link (href, src, ...) with Data.Attributes["website"]`},
		{"link after a carriage return", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return "<a\rHREF='" + html.EscapeString(d.Attributes["profile"]) + "'>site</a>" + html.EscapeString(d.Code)
		}}, `starts a link (href, src, ...) with Data.Attributes["profile"]`},
		{"user's picture as an image", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return `<img alt="you" src='` + html.EscapeString(d.Attributes["picture"]) + `'> ` + html.EscapeString(d.Code)
		}}, `starts a link (href, src, ...) with Data.Attributes["picture"]`},
		{"takeover without links", messages.AccountTakeOverNotification,
			messages.Funcs{SMS: func(d messages.Data) string { return "Unusual sign-in: " + d.AccountTakeOver.Action }}, "(Data.AccountTakeOver.ValidLink)"},
		{"takeover the same for every action", messages.AccountTakeOverNotification,
			messages.Funcs{SMS: atoLinks}, "reads the same whether the sign-in was blocked or allowed; say what happened, with Data.AccountTakeOver.Action"},
		{"link where Cognito sends none", messages.ForgotPassword,
			messages.Funcs{SMS: func(d messages.Data) string { return d.Code }, VerifyByLink: true}, "VerifyByLink is set"},
		{"email without subject", messages.SignUp, messages.Funcs{Email: func(d messages.Data) string { return d.Code }}, "subject: is empty"},
		{"subject without email", messages.SignUp, messages.Funcs{Subject: text("Hi"), SMS: func(d messages.Data) string { return d.Code }}, "subject: is set without Email"},
		{"empty", messages.SignUp, messages.Funcs{}, "is empty"},
		{"unknown kind", messages.Kind("Birthday"), messages.Funcs{SMS: func(d messages.Data) string { return d.Code }}, "unknown kind"},
		{"panics", messages.SignUp, messages.Funcs{SMS: func(d messages.Data) string { panic("code " + d.Code) }}, "does not execute with sample data: the SMS function panicked: code {####}"},
		{"panics on an index", messages.SignUp, messages.Funcs{SMS: func(d messages.Data) string {
			parts := strings.Fields(d.Attributes["name"])
			return d.Code + parts[1]
		}}, "the SMS function panicked: runtime error: index out of range [1] with length 0"},
	}
	// Found by CheckFuncs only: the branches for missing values, and the
	// code and user name as a custom sender shows them (NewFuncs renders
	// Cognito's placeholders there).
	checkOnly := map[string]bool{"takeover country unescaped without a city": true, "fallback attribute unescaped": true,
		"email shows the code unescaped": true, "unescaped only without attributes": true,
		"given name unescaped without a family name": true, "panics as a sender": true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := messages.FuncsConfig{DefaultLocale: "en", Messages: map[string]map[messages.Kind]messages.Funcs{"en": {tc.kind: tc.f}}}
			_, err := messages.NewFuncs(cfg)
			if checkOnly[tc.name] {
				if err != nil {
					t.Fatalf("NewFuncs: %v", err)
				}
			} else {
				assertRefused(t, err, tc.want)
			}
			assertRefused(t, messages.CheckFuncs(cfg), tc.want)
		})
	}
}

func assertRefused(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatal("the message was accepted")
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
	if strings.Contains(err.Error(), "{{") || strings.Contains(err.Error(), "template") {
		t.Errorf("the error speaks of templates: %q", err)
	}
	var te *messages.TemplateError
	if !errors.As(err, &te) {
		t.Fatalf("error %T is not a *TemplateError", err)
	}
}

func TestNewFuncsReportsEveryProblem(t *testing.T) {
	noCode := messages.Funcs{SMS: text("no code")}
	_, err := messages.NewFuncs(messages.FuncsConfig{DefaultLocale: "de", Messages: map[string]map[messages.Kind]messages.Funcs{
		"en":  {messages.SignUp: noCode, messages.ForgotPassword: noCode},
		"x y": {messages.SignUp: codeFuncs("x")},
	}})
	for _, want := range []string{"en/SignUp sms", "en/ForgotPassword sms", `locale "x y"`, `DefaultLocale "de" has no messages; add it to Messages`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("MustNewFuncs did not panic")
		}
	}()
	messages.MustNewFuncs(messages.FuncsConfig{DefaultLocale: "en", Messages: map[string]map[messages.Kind]messages.Funcs{"en": {messages.SignUp: noCode}}})
}

// A function that panics on some user's data fails that message with an
// error that does not quote the panic, which may hold the code.
func TestFuncsPanicAtRenderIsAnError(t *testing.T) {
	c, err := messages.NewFuncs(messages.FuncsConfig{DefaultLocale: "en", Messages: map[string]map[messages.Kind]messages.Funcs{"en": {
		messages.SignUp: {SMS: func(d messages.Data) string {
			if d.Attributes["nickname"] == "boom" {
				panic("secret code " + d.Code)
			}
			return "code " + d.Code
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	ev := &triggers.CustomMessageEvent{}
	ev.TriggerSource = triggers.CustomMessageSignUp
	ev.Request.CodeParameter = "123456"
	ev.Request.UserAttributes = triggers.Attributes{"nickname": "boom"}
	err = c.CustomMessage(context.Background(), ev)
	if err == nil || !strings.Contains(err.Error(), "messages: render en/SignUp: the SMS function panicked") || strings.Contains(err.Error(), "123456") {
		t.Errorf("error %v", err)
	}
	if ev.Response.SMSMessage != "" {
		t.Errorf("a message was set: %q", ev.Response.SMSMessage)
	}
	for _, s := range []string{fmt.Sprintf("%#v", err), fmt.Sprintf("%#v", errors.Unwrap(err)), fmt.Sprintf("%+v", errors.Unwrap(err))} {
		if strings.Contains(s, "123456") {
			t.Errorf("the panic's value is printed: %s", s)
		}
	}
}

// A custom attribute is checked once it is named in SampleAttributes.
func TestNewFuncsChecksSampleAttributes(t *testing.T) {
	tenant := messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
		return d.Attributes["custom:tenant"] + " " + html.EscapeString(d.Code)
	}}
	cfg := messages.FuncsConfig{DefaultLocale: "en", Messages: map[string]map[messages.Kind]messages.Funcs{"en": {messages.SignUp: tenant}}}
	if _, err := messages.NewFuncs(cfg); err != nil {
		t.Fatalf("without SampleAttributes: %v", err)
	}
	cfg.SampleAttributes = []string{"custom:tenant"}
	if _, err := messages.NewFuncs(cfg); err == nil || !strings.Contains(err.Error(), `shows Data.Attributes["custom:tenant"] without escaping it`) {
		t.Fatalf("with SampleAttributes: %v", err)
	}
}

// Values that come from Cognito or the program may be links: the
// account-takeover feedback links and Data.Link, escaped.
func TestNewFuncsAcceptsTrustedLinks(t *testing.T) {
	_, err := messages.NewFuncs(messages.FuncsConfig{DefaultLocale: "en", Messages: map[string]map[messages.Kind]messages.Funcs{"en": {
		messages.SignUp: {Subject: text("Confirm"), VerifyByLink: true, Email: func(d messages.Data) string {
			return `<a href="` + html.EscapeString(d.Link) + `">confirm</a>`
		}},
		messages.AccountTakeOverNotification: {Subject: text("Sign-in"), Email: func(d messages.Data) string {
			a := d.AccountTakeOver
			return html.EscapeString(a.Action) + ` <a href="` + html.EscapeString(a.ValidLink) + `">me</a> <a href='` + html.EscapeString(a.InvalidLink) + `'>not me</a>`
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
}

// Emails that escape what they show pass both checks, however they read
// the values: attributes other than href, a value inside a URL's query,
// the code grouped, the address split, the IP address parsed, the
// action read from the event's attributes.
func TestNewFuncsAcceptsCarefulEmails(t *testing.T) {
	esc := html.EscapeString
	careful := map[messages.Kind]messages.Funcs{
		messages.SignUp: {Subject: text("Hi"), Email: func(d messages.Data) string {
			code := d.Code
			if code != messages.CodePlaceholder && len(code) == 6 {
				code = code[:3] + " " + code[3:]
			}
			domain := ""
			if parts := strings.Split(d.Attributes["email"], "@"); len(parts) == 2 {
				domain = parts[1]
			}
			return `<p lang="` + esc(d.Locale) + `" title="` + esc(d.Username) + `"><img alt="` + esc(d.Attributes["name"]) + `">` +
				`<a href="https://app.example/welcome?name=` + esc(d.Attributes["given_name"]) + `">` + esc(code) + `</a> ` + esc(domain) +
				` Nickname = ` + esc(d.Attributes["nickname"]) + `</p>`
		}},
		messages.AccountTakeOverNotification: {Subject: text("Sign-in"), Email: func(d messages.Data) string {
			a := d.AccountTakeOver
			ip := netip.MustParseAddr(a.IPAddress)
			// Every event carries the action as an attribute too.
			_ = d.Attributes["ACCOUNT_TAKE_OVER_ACTION"][:1]
			place := esc(a.City)
			if place == "" {
				place = esc(a.Country)
			}
			return esc(a.Action) + " from " + ip.String() + " in " + place + ", device = " + esc(a.DeviceName) +
				` <a href="` + esc(a.ValidLink) + `">me</a> <a href="` + esc(a.InvalidLink) + `">not me</a>`
		}},
	}
	cfg := messages.FuncsConfig{DefaultLocale: "en", Messages: map[string]map[messages.Kind]messages.Funcs{"en": careful}}
	if _, err := messages.NewFuncs(cfg); err != nil {
		t.Errorf("NewFuncs: %v", err)
	}
	if err := messages.CheckFuncs(cfg); err != nil {
		t.Errorf("CheckFuncs: %v", err)
	}
}
