package messages_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/cognitrig/cognitrig/delivery/ses"
	"github.com/cognitrig/cognitrig/delivery/sns"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/lifecycle/messages/esdk"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// theCode is the plain code of every test event: distinctive, so that its
// absence from logs and errors means something.
const theCode = "739204"

var testKey = bytes.Repeat([]byte{0x42}, 32)

func rawAES(t testing.TB, key []byte) *esdk.Codec {
	t.Helper()
	c, err := esdk.NewRawAES(key, "cognitrig-test", "custom-sender")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// encryptedCode encrypts code as Cognito does and base64-encodes it.
func encryptedCode(t testing.TB, c *esdk.Codec, code string) string {
	t.Helper()
	ct, err := c.Encrypt(context.Background(), []byte(code), map[string]string{"userpool-id": "us-east-1_EXAMPLE1"})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}

// outbox is a local EmailSender and SMSSender that keeps what it sends,
// one recorder a channel; newOutbox(err) fails every send with err.
type outbox struct {
	emails triggertest.Recorder[messages.Email]
	sms    triggertest.Recorder[messages.SMS]
}

func newOutbox(fail error) *outbox {
	o := &outbox{}
	o.emails.FailWith(fail)
	o.sms.FailWith(fail)
	return o
}

func (o *outbox) SendEmail(ctx context.Context, e messages.Email) error { return o.emails.Send(ctx, e) }
func (o *outbox) SendSMS(ctx context.Context, s messages.SMS) error     { return o.sms.Send(ctx, s) }

// directory is a UserDirectory of fixed users, keyed by pool and user
// name, that records its look-ups.
type directory struct {
	mu     sync.Mutex
	users  map[string]map[string]string
	lookup []string
	fail   error
}

func (d *directory) UserAttributes(_ context.Context, pool, name string) (map[string]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lookup = append(d.lookup, pool+"/"+name)
	if d.fail != nil {
		return nil, d.fail
	}
	u, ok := d.users[pool+"/"+name]
	if !ok {
		return nil, errors.New("UserNotFoundException: User does not exist.")
	}
	return u, nil
}

// jdoeDirectory holds the user of the recorded events.
func jdoeDirectory() *directory {
	return &directory{users: map[string]map[string]string{"us-east-1_EXAMPLE1/jdoe": {
		"sub": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "email": "jdoe@example.com", "email_verified": "true",
		"phone_number": "+15555550100", "locale": "fr",
	}}}
}

// senderRouter wires Senders into a Router with the default middleware,
// logging everything at Debug level into logs.
func senderRouter(t *testing.T, s *messages.Senders, logs *bytes.Buffer) *triggers.Router {
	t.Helper()
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	r.CustomEmailSender(s.CustomEmailSender)
	r.CustomSMSSender(s.CustomSMSSender)
	return r
}

func TestSendersDecryptRenderSend(t *testing.T) {
	codec := rawAES(t, testKey)
	box := &outbox{}
	s, err := messages.NewSenders(messages.SendersConfig{Catalog: newCatalog(t), Decrypter: codec, Email: box, SMS: box, Users: jdoeDirectory()})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	r := senderRouter(t, s, &logs)
	sent := 0
	for _, name := range triggertest.Names() {
		if !strings.HasPrefix(name, "CustomEmailSender_") && !strings.HasPrefix(name, "CustomSMSSender_") {
			continue
		}
		b := triggertest.From(t, name).UserAttribute("locale", "fr")
		if strings.HasSuffix(name, "AccountTakeOverNotification") {
			if strings.HasPrefix(name, "CustomSMSSender_") {
				continue // the catalog has no SMS for it
			}
			b = b.Delete("request.code")
		} else {
			b = b.Set("request.code", encryptedCode(t, codec, theCode))
		}
		if _, err := triggertest.Invoke(r, b.JSON(t), 0); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sent++
	}
	if len(box.emails.Sent())+len(box.sms.Sent()) != sent || len(box.emails.Sent()) == 0 || len(box.sms.Sent()) == 0 {
		t.Fatalf("sent %d emails and %d SMS for %d events", len(box.emails.Sent()), len(box.sms.Sent()), sent)
	}
	for _, e := range box.emails.Sent() {
		if e.To != "jdoe@example.com" || !strings.HasPrefix(e.Subject, "fr ") {
			t.Errorf("email to %q subject %q", e.To, e.Subject)
		}
		if !strings.Contains(e.HTML, theCode) && !strings.Contains(e.Subject, "security") {
			t.Errorf("email %q lacks the code", e.Subject)
		}
	}
	for _, m := range box.sms.Sent() {
		if m.To != "+15555550100" || !strings.Contains(m.Text, theCode) || !strings.HasPrefix(m.Text, "fr ") {
			t.Errorf("sms to %q: %q", m.To, m.Text)
		}
	}
	if strings.Contains(logs.String(), theCode) {
		t.Fatalf("the plain code reached the log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "trigger handled") {
		t.Fatalf("nothing logged: %s", logs.String())
	}
}

func TestSendersAdminCreateUserShowsUserName(t *testing.T) {
	codec := rawAES(t, testKey)
	box := &outbox{}
	s, err := messages.NewSenders(messages.SendersConfig{Catalog: newCatalog(t), Decrypter: codec, SMS: box})
	if err != nil {
		t.Fatal(err)
	}
	ev := triggertest.Decode[triggers.CustomSenderEvent](t, "CustomSMSSender_AdminCreateUser")
	ev.Request.Code = triggers.Secret(encryptedCode(t, codec, "Temp#Pass1"))
	if err := s.CustomSMSSender(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got := box.sms.Sent()[0].Text; got != "en user jdoe password Temp#Pass1" {
		t.Fatalf("got %q", got)
	}
}

func TestSendersFailuresNeverQuoteTheCode(t *testing.T) {
	codec := rawAES(t, testKey)
	other := rawAES(t, bytes.Repeat([]byte{0x17}, 32))
	cat := newCatalog(t)
	good := encryptedCode(t, codec, theCode)
	cases := []struct {
		name   string
		source string
		code   string
		attrs  map[string]string // replaces attributes when non-nil
		fail   error
		want   string
	}{
		{"wrong key", "CustomEmailSender_SignUp", encryptedCode(t, other, theCode), nil, nil, "decrypt code"},
		{"not base64", "CustomEmailSender_SignUp", "AYADeBgAK-SECRET-ciphertext", nil, nil, "not base64"},
		{"not an ESDK message", "CustomSMSSender_SignUp", base64.StdEncoding.EncodeToString([]byte(theCode)), nil, nil, "decrypt code"},
		{"tampered", "CustomSMSSender_SignUp", tamper(t, good), nil, nil, "decrypt code"},
		{"no code", "CustomSMSSender_SignUp", "", nil, nil, "has no code"},
		{"no email", "CustomEmailSender_SignUp", good, map[string]string{"phone_number": "+15555550100"}, nil, "no email attribute"},
		{"no phone", "CustomSMSSender_SignUp", good, map[string]string{"email": "a@example.com"}, nil, "no phone_number attribute"},
		{"send fails", "CustomSMSSender_SignUp", good, nil, errors.New("throttled"), "send SMS: throttled"},
		{"no SMS template", "CustomSMSSender_AccountTakeOverNotification", good, nil, nil, "has no SMS text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			box := newOutbox(tc.fail)
			s, err := messages.NewSenders(messages.SendersConfig{Catalog: cat, Decrypter: codec, Email: box, SMS: box, Users: jdoeDirectory()})
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			r := senderRouter(t, s, &logs)
			b := triggertest.From(t, tc.source).Set("request.code", tc.code)
			if tc.attrs != nil {
				b = b.Set("request.userAttributes", tc.attrs)
			}
			_, err = triggertest.Invoke(r, b.JSON(t), 0)
			if err == nil || !strings.Contains(triggertest.Cause(err), tc.want) {
				t.Fatalf("got error %v, want one saying %q", triggertest.Cause(err), tc.want)
			}
			for _, leak := range []string{theCode, "Temp#Pass1"} {
				if strings.Contains(triggertest.Cause(err), leak) || strings.Contains(logs.String(), leak) {
					t.Fatalf("the code leaked: error %q\nlogs %s", err, logs.String())
				}
			}
			if len(box.emails.Sent())+len(box.sms.Sent()) != 0 {
				t.Fatal("a message was sent")
			}
		})
	}
}

func tamper(t *testing.T, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-10] ^= 0xff
	return base64.StdEncoding.EncodeToString(b)
}

func TestNewSendersChecksConfig(t *testing.T) {
	cat := newCatalog(t)
	codec := rawAES(t, testKey)
	linkCat, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{
		"en": {messages.SignUp: {Subject: "Confirm", Email: "{{.Link}}", VerifyByLink: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		cfg  messages.SendersConfig
		want string
	}{
		{messages.SendersConfig{Decrypter: codec, SMS: &outbox{}}, "Catalog is nil"},
		{messages.SendersConfig{Catalog: cat, SMS: &outbox{}}, "Decrypter is nil"},
		{messages.SendersConfig{Catalog: cat, Decrypter: codec}, "neither Email nor SMS"},
		{messages.SendersConfig{Catalog: linkCat, Decrypter: codec, Email: &outbox{}}, "Link is nil"},
		{messages.SendersConfig{Catalog: cat, Decrypter: codec, Email: &outbox{}}, "SendersConfig.Users is nil"},
	}
	for _, tc := range cases {
		if _, err := messages.NewSenders(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	s, err := messages.NewSenders(messages.SendersConfig{Catalog: cat, Decrypter: codec, SMS: &outbox{}})
	if err != nil {
		t.Fatal(err)
	}
	ev := triggertest.Decode[triggers.CustomSenderEvent](t, "CustomEmailSender_SignUp")
	if err := s.CustomEmailSender(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "no email sender") {
		t.Fatalf("got %v", err)
	}
	ev.Request.Type = "customSMSSenderRequestV1"
	s2, _ := messages.NewSenders(messages.SendersConfig{Catalog: cat, Decrypter: codec, Email: &outbox{}, Users: jdoeDirectory()})
	if err := s2.CustomEmailSender(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "request type") {
		t.Fatalf("got %v", err)
	}
}

func TestSendersBuildTheLink(t *testing.T) {
	codec := rawAES(t, testKey)
	_, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{
		"en": {messages.SignUp: {Subject: "Confirm", Email: `<p><a href="{{.Link}}">confirm</a></p>`, VerifyByLink: true}}}})
	if err == nil {
		t.Fatal("a link only inside href should fail the check: html/template escapes the placeholder there")
	}
	cat, err := messages.New(messages.Config{DefaultLocale: "en", Templates: map[string]map[messages.Kind]messages.Template{
		"en": {messages.SignUp: {Subject: "Confirm", Email: `<p>Open {{.Link}}</p>`, VerifyByLink: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	box := &outbox{}
	s, err := messages.NewSenders(messages.SendersConfig{Catalog: cat, Decrypter: codec, Email: box,
		Link: func(ev *triggers.CustomSenderEvent, code string) string {
			return "https://app.example/confirm?user=" + url.QueryEscape(ev.UserName) + "&code=" + code
		}})
	if err != nil {
		t.Fatal(err)
	}
	ev := triggertest.Decode[triggers.CustomSenderEvent](t, "CustomEmailSender_SignUp")
	ev.Request.Code = triggers.Secret(encryptedCode(t, codec, theCode))
	if err := s.CustomEmailSender(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if want := "<p>Open https://app.example/confirm?user=jdoe&amp;code=" + theCode + "</p>"; box.emails.Sent()[0].HTML != want {
		t.Fatalf("got %q, want %q", box.emails.Sent()[0].HTML, want)
	}
}

func TestEmailAndSMSPrintWithoutContent(t *testing.T) {
	e := messages.Email{To: "a@example.com", Subject: "s", HTML: theCode}
	m := messages.SMS{To: "+15555550100", Text: theCode}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "email", e, "sms", m)
	for _, s := range []string{e.String(), e.GoString(), m.String(), m.GoString(), logs.String()} {
		if strings.Contains(s, theCode) || strings.Contains(s, "a@example.com") || strings.Contains(s, "+15555550100") {
			t.Fatalf("content printed: %s", s)
		}
	}
}

// TestSendersThroughSESAndSNS runs the whole path: encrypted event in,
// message out through the real SDK clients to local servers.
func TestSendersThroughSESAndSNS(t *testing.T) {
	sesSrv, snsSrv := awsfake.NewSES(t), awsfake.NewSNS(t)
	codec := rawAES(t, testKey)
	s, err := messages.NewSenders(messages.SendersConfig{
		Catalog:   newCatalog(t),
		Decrypter: codec,
		Email:     &ses.Sender{From: "no-reply@example.com", Client: sesSrv.Client()},
		SMS:       &sns.Sender{Client: snsSrv.Client()},
		Users:     jdoeDirectory(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	r := senderRouter(t, s, &logs)
	for _, name := range []string{"CustomEmailSender_ForgotPassword", "CustomSMSSender_Authentication"} {
		payload := triggertest.From(t, name).Set("request.code", encryptedCode(t, codec, theCode)).JSON(t)
		if _, err := triggertest.Invoke(r, payload, 0); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if len(sesSrv.Emails()) != 1 || len(snsSrv.Messages()) != 1 {
		t.Fatalf("SES got %d, SNS got %d", len(sesSrv.Emails()), len(snsSrv.Messages()))
	}
	if msg := snsSrv.Messages()[0].Text; msg != "en code "+theCode {
		t.Fatalf("SMS text %q", msg)
	}
	if strings.Contains(logs.String(), theCode) {
		t.Fatal("the code reached the log")
	}
}
