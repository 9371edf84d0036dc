package messages_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// codeKinds are the kinds whose messages carry a code.
var codeKinds = []messages.Kind{messages.SignUp, messages.ResendCode, messages.ForgotPassword,
	messages.UpdateUserAttribute, messages.VerifyUserAttribute, messages.Authentication}

func fullSet(lang string) map[messages.Kind]messages.Template {
	set := map[messages.Kind]messages.Template{}
	for _, k := range codeKinds {
		set[k] = messages.Template{
			Subject: lang + " " + string(k),
			Email:   `<p>` + lang + ` {{with .Attributes.given_name}}{{.}}, {{end}}your code is <b>{{.Code}}</b></p>`,
			SMS:     lang + " code {{.Code}}",
		}
	}
	set[messages.AdminCreateUser] = messages.Template{
		Subject: lang + " welcome",
		Email:   `<p>` + lang + ` user {{.Username}} password {{.Code}}</p>`,
		SMS:     lang + " user {{.Username}} password {{.Code}}",
	}
	set[messages.AccountTakeOverNotification] = messages.Template{
		Subject: lang + " security",
		Email: `<p>` + lang + ` a risky sign-in ({{.AccountTakeOver.Action}}) from {{.AccountTakeOver.IPAddress}}</p>` +
			`<p><a href="{{.AccountTakeOver.ValidLink}}">It was me</a> <a href="{{.AccountTakeOver.InvalidLink}}">It was not me</a></p>`,
	}
	return set
}

func newCatalog(t testing.TB) *messages.Catalog {
	t.Helper()
	c, err := messages.New(messages.Config{
		DefaultLocale: "en",
		Templates: map[string]map[messages.Kind]messages.Template{
			"en": fullSet("en"),
			"fr": fullSet("fr"),
			"pt_BR": {
				messages.SignUp: {Subject: "pt-BR inscrição", Email: "<p>pt-BR código {{.Code}}</p>", SMS: "pt-BR código {{.Code}}"},
			},
			"pt": {
				messages.SignUp:         {Subject: "pt inscrição", Email: "<p>pt código {{.Code}}</p>"},
				messages.ForgotPassword: {SMS: "pt senha {{.Code}}"},
			},
		},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestNewAcceptsCompleteTemplates(t *testing.T) {
	newCatalog(t)
}

func TestNewRefusesTemplatesWithoutPlaceholders(t *testing.T) {
	cases := []struct {
		name string
		kind messages.Kind
		tmpl messages.Template
		want string // in the error
	}{
		{"email without code", messages.SignUp,
			messages.Template{Subject: "Hi", Email: "<p>Welcome!</p>"}, "email: does not contain the code"},
		{"sms without code", messages.ForgotPassword,
			messages.Template{SMS: "Reset your password"}, "sms: does not contain the code"},
		{"admin create without user name", messages.AdminCreateUser,
			messages.Template{SMS: "Your password is {{.Code}}"}, "sms: does not contain the user name"},
		{"admin create email without user name", messages.AdminCreateUser,
			messages.Template{Subject: "Hi", Email: "password {{.Code}}"}, "email: does not contain the user name"},
		{"code inside a URL is escaped", messages.SignUp,
			messages.Template{Subject: "Hi", Email: `<a href="https://x.example/c?code={{.Code}}">confirm</a>`}, "does not contain the code"},
		{"code only when an attribute is present", messages.SignUp,
			messages.Template{SMS: "{{if .Attributes.name}}code {{.Code}}{{end}}"}, "does not contain the code"},
		{"code only when an attribute is absent", messages.SignUp,
			messages.Template{SMS: "{{if not .Attributes.name}}code {{.Code}}{{end}}"}, "does not contain the code"},
		{"link template without link", messages.SignUp,
			messages.Template{Subject: "Hi", Email: "code {{.Code}}", VerifyByLink: true}, "does not contain the verification link"},
		{"link where Cognito sends none", messages.ForgotPassword,
			messages.Template{Subject: "Hi", Email: "{{.Link}}", VerifyByLink: true}, "VerifyByLink is set"},
		{"email without subject", messages.SignUp,
			messages.Template{Email: "{{.Code}}"}, "subject: is empty"},
		{"subject without email", messages.SignUp,
			messages.Template{Subject: "Hi", SMS: "{{.Code}}"}, "subject: is set without Email"},
		{"empty", messages.SignUp, messages.Template{}, "is empty"},
		{"unknown kind", messages.Kind("Birthday"), messages.Template{SMS: "{{.Code}}"}, "unknown kind"},
		{"parse error", messages.SignUp, messages.Template{SMS: "{{.Code"}, "does not parse"},
		{"execution error", messages.SignUp, messages.Template{SMS: "{{.Code}} {{.Nope}}"}, "does not execute"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := messages.New(messages.Config{DefaultLocale: "en",
				Templates: map[string]map[messages.Kind]messages.Template{"en": {tc.kind: tc.tmpl}}})
			if err == nil {
				t.Fatal("New accepted the template")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			var te *messages.TemplateError
			if tc.name != "unknown locale" && !errors.As(err, &te) {
				t.Fatalf("error %T is not a *TemplateError", err)
			}
		})
	}
}

func TestNewAcceptsLinkAndAccountTakeOver(t *testing.T) {
	_, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{"en": {
		messages.SignUp: {Subject: "Confirm", Email: "<p>Click {{.Link}}</p>", SMS: "code {{.Code}}", VerifyByLink: true},
		messages.AccountTakeOverNotification: {Subject: "Security", Email: `<p>{{if eq .AccountTakeOver.Action "BLOCK"}}We blocked a sign-in.{{else}}Someone signed in.{{end}}` +
			` Was it you? {{.AccountTakeOver.ValidLink}} / {{.AccountTakeOver.InvalidLink}}</p>`},
	}}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := messages.New(messages.Config{DefaultLocale: "de", Templates: map[string]map[messages.Kind]messages.Template{
		"en":   {messages.SignUp: {SMS: "no code"}, messages.ForgotPassword: {SMS: "no code either"}},
		"x y":  {messages.SignUp: {SMS: "{{.Code}}"}},
		"EN-x": {messages.SignUp: {SMS: "{{.Code}}"}},
	}})
	if err == nil {
		t.Fatal("New accepted broken config")
	}
	for _, want := range []string{"en/SignUp sms", "en/ForgotPassword sms", `locale "x y"`, `DefaultLocale "de" has no templates`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if _, err := messages.New(messages.Config{Templates: map[string]map[messages.Kind]messages.Template{"en": fullSet("en")}}); err == nil ||
		!strings.Contains(err.Error(), "DefaultLocale is empty") {
		t.Fatalf("no default locale: %v", err)
	}
	if _, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{
		"en": fullSet("en"), "EN": fullSet("en")}}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("duplicate locale: %v", err)
	}
}

func TestMustNewPanicsOnBadTemplate(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustNew did not panic")
		}
	}()
	messages.MustNew(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{"en": {messages.SignUp: {SMS: "x"}}}})
}

func TestLocaleFallback(t *testing.T) {
	c := newCatalog(t)
	cases := []struct {
		attr string
		kind messages.Kind
		want string
	}{
		{"fr", messages.SignUp, "fr"},
		{"FR", messages.SignUp, "fr"},
		{"fr-CA", messages.SignUp, "fr"}, // language of the locale
		{"pt-BR", messages.SignUp, "pt-br"},
		{"pt_br", messages.SignUp, "pt-br"}, // separator and case do not matter
		{"pt-PT", messages.SignUp, "pt"},
		{"pt-BR", messages.ForgotPassword, "pt"}, // kind missing in pt-BR, present in pt
		{"pt-BR", messages.ResendCode, "en"},     // kind missing in pt-BR and pt
		{"de", messages.SignUp, "en"},
		{"", messages.SignUp, "en"},
		{"../../etc", messages.SignUp, "en"},
	}
	for _, tc := range cases {
		got, ok := c.Locale(tc.kind, map[string]string{"locale": tc.attr})
		if !ok || got != tc.want {
			t.Errorf("locale %q kind %s: got %q (%v), want %q", tc.attr, tc.kind, got, ok, tc.want)
		}
	}
	m, err := c.Render(messages.SignUp, messages.Data{Code: "{####}", Attributes: map[string]string{"locale": "pt-BR"}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Locale != "pt-br" || m.SMS != "pt-BR código {####}" || !strings.Contains(m.Email, "pt-BR código {####}") {
		t.Fatalf("pt-BR render: %+v", []string{m.Locale, m.SMS, m.Email})
	}
}

func TestLocaleAttributeIsConfigurable(t *testing.T) {
	c, err := messages.New(messages.Config{DefaultLocale: "en", LocaleAttribute: "custom:lang",
		Templates: map[string]map[messages.Kind]messages.Template{"en": fullSet("en"), "fr": fullSet("fr")}})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := c.Locale(messages.SignUp, map[string]string{"custom:lang": "fr", "locale": "en"}); l != "fr" {
		t.Fatalf("got %s, want fr", l)
	}
}

func TestRenderEscapesHTMLInEmailOnly(t *testing.T) {
	c := newCatalog(t)
	m, err := c.Render(messages.SignUp, messages.Data{Code: "123456", Attributes: map[string]string{"given_name": "<script>x</script>"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Email, "<script>") || !strings.Contains(m.Email, "&lt;script&gt;") {
		t.Fatalf("email not escaped: %s", m.Email)
	}
	if m.Subject != "en SignUp" || m.SMS != "en code 123456" {
		t.Fatalf("subject %q sms %q", m.Subject, m.SMS)
	}
}

func TestRenderWithoutTemplate(t *testing.T) {
	c, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{
		"en": {messages.SignUp: {SMS: "{{.Code}}"}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Render(messages.ForgotPassword, messages.Data{})
	if !errors.Is(err, messages.ErrNoTemplate) {
		t.Fatalf("got %v, want ErrNoTemplate", err)
	}
}

func TestRenderedPrintsWithoutBodies(t *testing.T) {
	m := messages.Rendered{Kind: messages.SignUp, Locale: "en", Subject: "987654 is your code", Email: "code 987654", SMS: "code 987654"}
	d := messages.Data{Code: "987654", Link: "https://example.com/v?code=987654", Username: "ann",
		AccountTakeOver: messages.AccountTakeOver{ValidLink: "https://x/987654", FeedbackToken: "987654"}}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("sent", "message", m, "data", d)
	for _, s := range []string{m.String(), m.GoString(), fmt.Sprintf("%+v", m), fmt.Sprint(d), fmt.Sprintf("%#v", d), logs.String(),
		fmt.Sprintf("%d", d.AccountTakeOver), fmt.Sprintf("%x", d.AccountTakeOver)} {
		if strings.Contains(s, "987654") {
			t.Fatalf("the code is printed: %s", s)
		}
	}
	if !strings.Contains(logs.String(), `"kind":"SignUp"`) || !strings.Contains(logs.String(), `"username":"ann"`) {
		t.Errorf("the log says nothing useful: %s", logs.String())
	}
}

func TestKindOf(t *testing.T) {
	for _, src := range triggers.AllSources() {
		k, ok := messages.KindOf(src)
		isMessage := strings.HasPrefix(string(src), "Custom")
		if ok != isMessage {
			t.Errorf("KindOf(%s) ok=%v", src, ok)
		}
		if ok && !strings.HasSuffix(string(src), "_"+string(k)) {
			t.Errorf("KindOf(%s) = %s", src, k)
		}
	}
	if _, ok := messages.KindOf("CustomMessage_Birthday"); ok {
		t.Error("KindOf accepted an unknown kind")
	}
}

// TestCustomMessageReplaysEverySource replays each recorded custom message
// event through a Router, whose response checks verify the placeholders
// again as Cognito would see them.
func TestCustomMessageReplaysEverySource(t *testing.T) {
	c := newCatalog(t)
	r := triggers.NewRouter()
	r.CustomMessage(c.CustomMessage)
	for _, name := range triggertest.Names() {
		if !strings.HasPrefix(name, "CustomMessage_") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			ev := triggertest.Replay[triggers.CustomMessageEvent](t, r, name)
			resp := ev.Response
			if !strings.Contains(resp.SMSMessage, "{####}") || !strings.Contains(resp.EmailMessage, "{####}") || resp.EmailSubject == "" {
				t.Fatalf("response lacks the code placeholder or subject: %+v", resp)
			}
			if ev.TriggerSource == triggers.CustomMessageAdminCreateUser &&
				(!strings.Contains(resp.SMSMessage, "{username}") || !strings.Contains(resp.EmailMessage, "{username}")) {
				t.Fatalf("admin-create message lacks {username}: %+v", resp)
			}
		})
	}
}

func TestCustomMessageUsesLocaleAndLink(t *testing.T) {
	c, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{
		"en": {messages.SignUp: {Subject: "Confirm", Email: "<p>{{.Link}}</p>", VerifyByLink: true}},
		"fr": {messages.SignUp: {Subject: "Confirmez", Email: "<p>Cliquez {{.Link}}</p>", VerifyByLink: true}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// triggers.CheckResponse wants the code placeholder in every email,
	// also when the pool verifies by link (reported as a needed change).
	r := triggers.NewRouter(triggers.WithoutResponseChecks())
	r.CustomMessage(c.CustomMessage)
	payload := triggertest.From(t, "CustomMessage_SignUp").UserAttribute("locale", "fr-FR").JSON(t)
	ev := triggertest.Run[triggers.CustomMessageEvent](t, r, payload)
	if ev.Response.EmailMessage != "<p>Cliquez {##Click Here##}</p>" || ev.Response.EmailSubject != "Confirmez" {
		t.Fatalf("got %+v", ev.Response)
	}
	if ev.Response.SMSMessage != "" {
		t.Fatalf("SMS set without a template: %q", ev.Response.SMSMessage)
	}
}

func TestCustomMessageWithoutTemplateKeepsDefault(t *testing.T) {
	c, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{
		"en": {messages.ForgotPassword: {SMS: "{{.Code}}"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ev := triggertest.Decode[triggers.CustomMessageEvent](t, "CustomMessage_SignUp")
	if err := c.CustomMessage(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if ev.Response.SMSMessage != "" || ev.Response.EmailMessage != "" || ev.Response.EmailSubject != "" {
		t.Fatalf("response changed: %+v", ev.Response)
	}
	ev.TriggerSource = "PreSignUp_SignUp"
	if err := c.CustomMessage(context.Background(), ev); err == nil {
		t.Fatal("accepted a non-custom-message source")
	}
}
