package messages_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	htmltemplate "html/template"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// Temporary passwords with every character HTML gives a meaning to, and a
// literal entity.
var temporaryPasswords = []string{`a<b>c&d'e"f+g`, `Pa&amp;ss+1`, `<script>"x"</script>'&'`, `plain+Pass1`}

// cognitoEscapes are ways Cognito's HTML escaping can spell a password:
// the test does not depend on which entities it picks.
var cognitoEscapes = map[string]func(string) string{
	"numeric": html.EscapeString,
	"named":   strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;", `'`, "&apos;", `+`, "&#x2B;").Replace,
}

// htmlOnce is s escaped once, as html/template writes it in text.
func htmlOnce(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := htmltemplate.Must(htmltemplate.New("").Parse("{{.}}")).Execute(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// *_AdminCreateUser: the decrypted code is the temporary password,
// HTML-escaped by Cognito. The SMS carries the password as it is; the email
// shows it exactly, escaped once.
func TestAdminCreateUserTemporaryPassword(t *testing.T) {
	codec := rawAES(t, testKey)
	for _, password := range temporaryPasswords {
		for how, escape := range cognitoEscapes {
			box := &outbox{}
			s, err := messages.NewSenders(messages.SendersConfig{Catalog: newCatalog(t), Decrypter: codec, Email: box, SMS: box, Users: jdoeDirectory()})
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			r := senderRouter(t, s, &logs)
			for _, source := range []string{"CustomSMSSender_AdminCreateUser", "CustomEmailSender_AdminCreateUser"} {
				payload := triggertest.From(t, source).Set("request.code", encryptedCode(t, codec, escape(password))).JSON(t)
				if _, err := triggertest.Invoke(r, payload, 0); err != nil {
					t.Fatalf("%s %q (%s): %v", source, password, how, err)
				}
			}
			if len(box.sms.Sent()) != 1 || len(box.emails.Sent()) != 1 {
				t.Fatalf("%q: sent %d SMS, %d emails", password, len(box.sms.Sent()), len(box.emails.Sent()))
			}
			if got, want := box.sms.Sent()[0].Text, "en user jdoe password "+password; got != want {
				t.Errorf("%q (%s): SMS %q, want %q", password, how, got, want)
			}
			want := "<p>en user jdoe password " + htmlOnce(t, password) + "</p>"
			if got := box.emails.Sent()[0].HTML; got != want {
				t.Errorf("%q (%s): email %q, want %q", password, how, got, want)
			}
			if shown := html.UnescapeString(strings.TrimPrefix(strings.TrimSuffix(box.emails.Sent()[0].HTML, "</p>"), "<p>en user jdoe password ")); shown != password {
				t.Errorf("%q (%s): the email shows %q", password, how, shown)
			}
			if strings.Contains(logs.String(), password) || strings.Contains(logs.String(), escape(password)) {
				t.Errorf("%q: the password reached the log", password)
			}
		}
	}
}

// Other sources' codes are not unescaped: a code is sent as decrypted.
func TestCodesOfOtherSourcesAreNotUnescaped(t *testing.T) {
	codec := rawAES(t, testKey)
	box := &outbox{}
	s, err := messages.NewSenders(messages.SendersConfig{Catalog: newCatalog(t), Decrypter: codec, SMS: box})
	if err != nil {
		t.Fatal(err)
	}
	ev := triggertest.Decode[triggers.CustomSenderEvent](t, "CustomSMSSender_ForgotPassword")
	ev.Request.Code = triggers.Secret(encryptedCode(t, codec, "12&amp;34"))
	if err := s.CustomSMSSender(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got := box.sms.Sent()[0].Text; got != "en code 12&amp;34" {
		t.Fatalf("got %q", got)
	}
}

// The recorded account-takeover event, as Cognito sends it (null code,
// null client metadata, the sign-in's attributes and no email address),
// is delivered: to the email address of the user, looked up in the pool;
// in the user's locale; with the action and both feedback links; and
// neither the links nor the feedback token reach the log.
func TestAccountTakeOverNotificationDelivered(t *testing.T) {
	codec := rawAES(t, testKey)
	box := &outbox{}
	dir := jdoeDirectory()
	s, err := messages.NewSenders(messages.SendersConfig{Catalog: newCatalog(t), Decrypter: codec, Email: box, Users: dir})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	r := senderRouter(t, s, &logs)
	const name = "CustomEmailSender_AccountTakeOverNotification"
	ev := triggertest.Decode[triggers.CustomSenderEvent](t, name)
	if !ev.Request.Code.IsZero() || ev.Request.ClientMetadata != nil || ev.Request.UserAttributes["email"] != "" {
		t.Fatalf("the recorded event is not as Cognito sends it: %+v", ev.Request)
	}
	valid, invalid := ev.Request.UserAttributes["ONE_CLICK_LINK_VALID"], ev.Request.UserAttributes["ONE_CLICK_LINK_INVALID"]
	token := ev.Request.UserAttributes["FEEDBACK_TOKEN"]
	if _, err := triggertest.Invoke(r, triggertest.Load(t, name), 0); err != nil {
		t.Fatal(err)
	}
	if len(dir.lookup) != 1 || dir.lookup[0] != "us-east-1_EXAMPLE1/jdoe" {
		t.Fatalf("look-ups %v, want the event's user in the event's pool", dir.lookup)
	}
	if len(box.emails.Sent()) != 1 {
		t.Fatalf("sent %d emails", len(box.emails.Sent()))
	}
	e := box.emails.Sent()[0]
	if e.To != "jdoe@example.com" || e.Subject != "fr security" {
		t.Errorf("email to %q subject %q; want the looked-up address, in the user's locale (fr)", e.To, e.Subject)
	}
	body := html.UnescapeString(e.HTML)
	for what, want := range map[string]string{"action": "BLOCK", "valid link": valid, "invalid link": invalid, "IP address": "192.0.2.44"} {
		if !strings.Contains(body, want) {
			t.Errorf("the warning lacks the %s %q:\n%s", what, want, e.HTML)
		}
	}
	for _, secret := range []string{token, valid, invalid, "feedback.example.com"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("%q reached the log:\n%s", secret, logs.String())
		}
	}
	// The feedback fields print without their values.
	a := messages.AccountTakeOverOf(ev.Request.UserAttributes)
	if a.Action != messages.ActionBlock || a.ValidLink != valid || a.FeedbackToken.Reveal() != token {
		t.Fatalf("AccountTakeOverOf = %v", a)
	}
	for _, printed := range []string{a.String(), a.GoString()} {
		if strings.Contains(printed, token) || strings.Contains(printed, "feedback.example.com") {
			t.Errorf("AccountTakeOver prints a link or the token: %s", printed)
		}
	}
}

// An account-takeover event that names the address is delivered without a
// look-up; a failed look-up or a user without email fails without quoting
// a link; other sources never look up.
func TestAccountTakeOverRecipient(t *testing.T) {
	codec := rawAES(t, testKey)
	const name = "CustomEmailSender_AccountTakeOverNotification"
	for _, tc := range []struct {
		name    string
		event   *triggertest.Builder
		dir     *directory
		want    string // error text; "" for delivered
		wantTo  string
		lookups int
	}{
		{"address in the event", triggertest.From(t, name).UserAttribute("email", "other@example.com"), jdoeDirectory(), "", "other@example.com", 0},
		{"look-up fails", triggertest.From(t, name), &directory{fail: errors.New("AccessDeniedException")}, "AccessDeniedException", "", 1},
		{"unknown user", triggertest.From(t, name).Set("userName", "ghost"), jdoeDirectory(), "UserNotFoundException", "", 1},
		{"user without email", triggertest.From(t, name), &directory{users: map[string]map[string]string{"us-east-1_EXAMPLE1/jdoe": {"phone_number": "+15555550100"}}}, "no email attribute", "", 1},
		{"header without user name", triggertest.From(t, name).Set("userName", ""), jdoeDirectory(), "", "jdoe@example.com", 1},
		{"sign-up without email is not looked up", triggertest.From(t, "CustomEmailSender_SignUp").Set("request.code", encryptedCode(t, codec, theCode)).Delete("request.userAttributes.email"), jdoeDirectory(), "no email attribute", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			box := &outbox{}
			s, err := messages.NewSenders(messages.SendersConfig{Catalog: newCatalog(t), Decrypter: codec, Email: box, Users: tc.dir})
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			_, err = triggertest.Invoke(senderRouter(t, s, &logs), tc.event.JSON(t), 0)
			if len(tc.dir.lookup) != tc.lookups {
				t.Errorf("%d look-ups, want %d", len(tc.dir.lookup), tc.lookups)
			}
			if tc.want == "" {
				if err != nil || len(box.emails.Sent()) != 1 || box.emails.Sent()[0].To != tc.wantTo {
					t.Fatalf("err %v, sent %v; want one email to %s", err, box.emails.Sent(), tc.wantTo)
				}
				return
			}
			if err == nil || !strings.Contains(triggertest.Cause(err), tc.want) {
				t.Fatalf("err %v, want %q", triggertest.Cause(err), tc.want)
			}
			if cause := triggertest.Cause(err); strings.Contains(cause, "feedback.example.com") || strings.Contains(logs.String(), "feedback.example.com") || strings.Contains(cause, "fbt-SECRET") {
				t.Fatalf("a feedback link or token leaked: %v\n%s", err, logs.String())
			}
			if len(box.emails.Sent()) != 0 {
				t.Fatal("an email was sent")
			}
		})
	}
}

// An account-takeover template must carry both feedback links and say
// what was done; one that does not is refused when the catalog is built.
func TestAccountTakeOverTemplateCarriesActionAndLinks(t *testing.T) {
	links := ` {{.AccountTakeOver.ValidLink}} {{.AccountTakeOver.InvalidLink}}`
	for _, tc := range []struct {
		name, email, sms, want string
	}{
		{"no links", `<p>We blocked a sign-in ({{.AccountTakeOver.Action}}).</p>`, "", `link for "this was me"`},
		{"one link", `<p>{{.AccountTakeOver.Action}} <a href="{{.AccountTakeOver.ValidLink}}">me</a></p>`, "", `link for "this was not me"`},
		{"no action", `<p>Was it you?` + links + `</p>`, "", "blocked or allowed"},
		{"sms without links", `<p>{{.AccountTakeOver.Action}}` + links + `</p>`, "Risky sign-in: {{.AccountTakeOver.Action}}", "sms: does not contain the link"},
	} {
		_, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{"en": {
			messages.AccountTakeOverNotification: {Subject: "Security", Email: tc.email, SMS: tc.sms}}}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	ok := []messages.Template{
		{Subject: "Security", Email: `<p>{{.AccountTakeOver.Action}}: <a href="{{.AccountTakeOver.ValidLink}}">me</a> <a href="{{.AccountTakeOver.InvalidLink}}">not me</a></p>`},
		{Subject: "Security", Email: `<p>{{if eq .AccountTakeOver.Action "BLOCK"}}We blocked{{else}}We allowed{{end}} a sign-in.` + links + `</p>`, SMS: `{{.AccountTakeOver.Action}}` + links},
	}
	for _, tmpl := range ok {
		if _, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{"en": {
			messages.AccountTakeOverNotification: tmpl}}}); err != nil {
			t.Errorf("New(%q) = %v", tmpl.Email, err)
		}
	}
}
