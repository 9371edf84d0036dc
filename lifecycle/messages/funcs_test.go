package messages_test

import (
	"context"
	"errors"
	"html"
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
			messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string { return "<p>" + d.Code + "</p>" }}, "email: shows a value without escaping it for HTML"},
		{"email shows an attribute unescaped", messages.SignUp, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return "<p>" + d.Attributes["given_name"] + " " + html.EscapeString(d.Code) + "</p>"
		}}, "shows a value without escaping it"},
		{"email shows the user name unescaped", messages.AdminCreateUser, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return d.Username + " " + html.EscapeString(d.Code)
		}}, "shows a value without escaping it"},
		{"takeover shows the device unescaped", messages.AccountTakeOverNotification, messages.Funcs{Subject: text("Hi"), Email: func(d messages.Data) string {
			return d.AccountTakeOver.Action + " " + d.AccountTakeOver.DeviceName + " " + atoLinks(d)
		}}, "shows a value without escaping it"},
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
		{"panics", messages.SignUp, messages.Funcs{SMS: func(d messages.Data) string { panic("code " + d.Code) }}, "does not execute with sample data: the SMS function panicked"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := messages.NewFuncs(messages.FuncsConfig{DefaultLocale: "en",
				Messages: map[string]map[messages.Kind]messages.Funcs{"en": {tc.kind: tc.f}}})
			if err == nil {
				t.Fatal("NewFuncs accepted the message")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "{{") || strings.Contains(err.Error(), "code {####}") {
				t.Errorf("the error speaks of templates or quotes the panic: %q", err)
			}
			var te *messages.TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("error %T is not a *TemplateError", err)
			}
		})
	}
}

func TestNewFuncsReportsEveryProblem(t *testing.T) {
	noCode := messages.Funcs{SMS: text("no code")}
	_, err := messages.NewFuncs(messages.FuncsConfig{DefaultLocale: "de", Messages: map[string]map[messages.Kind]messages.Funcs{
		"en":  {messages.SignUp: noCode, messages.ForgotPassword: noCode},
		"x y": {messages.SignUp: codeFuncs("x")},
	}})
	for _, want := range []string{"en/SignUp sms", "en/ForgotPassword sms", `locale "x y"`, `DefaultLocale "de" has no templates`} {
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
}
