// Package awsfake serves, on 127.0.0.1, the few operations of the AWS APIs
// (SES v2, SNS, the Cognito user-pool API, KMS, Secrets Manager, Lambda
// resource policies) and of CAPTCHA
// siteverify endpoints that cognitrig calls, speaking their wire
// protocols and recording each call, so that tests run the real AWS SDK
// clients, or the shipped binaries, against them. Point a client at one
// with its BaseEndpoint, or a process with AWS_ENDPOINT_URL_<SERVICE>.
package awsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// Server is a local server of one AWS API, speaking its wire protocol
// for the few operations the functions call, and recording each call.
type Server struct {
	URL string

	mu    sync.Mutex
	calls []Call
}

// Call is one recorded request.
type Call struct {
	Op   string // the operation: X-Amz-Target's, SNS's Action, or the path
	Body []byte
}

// Calls returns the calls so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *Server) record(op string, body []byte) {
	s.mu.Lock()
	s.calls = append(s.calls, Call{Op: op, Body: body})
	s.mu.Unlock()
}

func serve(t testing.TB, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Email is an email sent through the SES server.
type Email struct {
	From, To, Subject, Text, HTML string
	ConfigurationSet              string
}

// SES is an Amazon SES (API v2) server that accepts SendEmail; a process
// reaches it with AWS_ENDPOINT_URL_SESV2, a test with Client.
type SES struct {
	Server
	refuse atomic.Bool
}

// NewSES starts an SES server that stops when t ends.
func NewSES(t testing.TB) *SES {
	s := &SES{}
	s.URL = serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		s.record("SendEmail", body)
		w.Header().Set("Content-Type", "application/json")
		if s.refuse.Load() {
			w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"message":"Email address is not verified."}`)
			return
		}
		_, _ = io.WriteString(w, `{"MessageId":"0100-test-message"}`)
	})
	return s
}

// Refuse makes the server answer every later SendEmail with
// MessageRejected (true), or accept again (false); refused calls are
// recorded too.
func (s *SES) Refuse(refuse bool) { s.refuse.Store(refuse) }

// Client returns an SES client of the server, without retries.
func (s *SES) Client() *sesv2.Client {
	return sesv2.New(sesv2.Options{Region: Region, BaseEndpoint: aws.String(s.URL), Credentials: testCredentials, RetryMaxAttempts: 1})
}

// Emails decodes the emails sent so far.
func (s *SES) Emails() []Email {
	var out []Email
	for _, c := range s.Calls() {
		// encoding/json matches field names without regard to case: Html.
		var in struct {
			FromEmailAddress     string
			ConfigurationSetName string
			Destination          struct{ ToAddresses []string }
			Content              struct {
				Simple struct {
					Subject struct{ Data string }
					Body    struct{ Text, HTML struct{ Data string } }
				}
			}
		}
		_ = json.Unmarshal(c.Body, &in)
		m := in.Content.Simple
		e := Email{From: in.FromEmailAddress, Subject: m.Subject.Data, Text: m.Body.Text.Data, HTML: m.Body.HTML.Data,
			ConfigurationSet: in.ConfigurationSetName}
		if len(in.Destination.ToAddresses) > 0 {
			e.To = in.Destination.ToAddresses[0]
		}
		out = append(out, e)
	}
	return out
}

// SMS is a text message published through the SNS server, with its
// message attributes (AWS.SNS.SMS.SMSType and the like).
type SMS struct {
	To, Text   string
	Attributes map[string]string
}

// SNS is an Amazon SNS server that accepts Publish to a phone number; a
// process reaches it with AWS_ENDPOINT_URL_SNS, a test with Client.
type SNS struct {
	Server
	refuse atomic.Bool
}

// NewSNS starts an SNS server that stops when t ends.
func NewSNS(t testing.TB) *SNS {
	s := &SNS{}
	s.URL = serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") != "Publish" {
			http.Error(w, "unexpected action", http.StatusBadRequest)
			return
		}
		s.record("Publish", body)
		w.Header().Set("Content-Type", "text/xml")
		if s.refuse.Load() {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`)
			return
		}
		_, _ = io.WriteString(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`)
	})
	return s
}

// Refuse makes the server answer every later Publish with
// InvalidParameter (true), or accept again (false); refused calls are
// recorded too.
func (s *SNS) Refuse(refuse bool) { s.refuse.Store(refuse) }

// Client returns an SNS client of the server, without retries.
func (s *SNS) Client() *sns.Client {
	return sns.New(sns.Options{Region: Region, BaseEndpoint: aws.String(s.URL), Credentials: testCredentials, RetryMaxAttempts: 1})
}

// Messages decodes the text messages published so far.
func (s *SNS) Messages() []SMS {
	var out []SMS
	for _, c := range s.Calls() {
		form, _ := url.ParseQuery(string(c.Body))
		m := SMS{To: form.Get("PhoneNumber"), Text: form.Get("Message"), Attributes: map[string]string{}}
		for i := 1; form.Has(fmt.Sprintf("MessageAttributes.entry.%d.Name", i)); i++ {
			p := fmt.Sprintf("MessageAttributes.entry.%d.", i)
			m.Attributes[form.Get(p+"Name")] = form.Get(p + "Value.StringValue")
		}
		out = append(out, m)
	}
	return out
}

// Region is the region of the clients the servers return.
const Region = "us-east-1"

var testCredentials = credentials.NewStaticCredentialsProvider("test", "test", "")

// JSONService is a server of an AWS API with the JSON 1.1 protocol whose
// answers a test sets (Secrets Manager): each operation, named by
// X-Amz-Target after the dot, answers with Reply's function, or {} when
// there is none. Cognito and KMS have servers of their own that keep state
// and check requests: Cognito and KMS.
type JSONService struct {
	Server
	mu      sync.Mutex
	replies map[string]func(body []byte) (int, string)
}

// NewJSONService starts a JSON 1.1 server that stops when t ends.
func NewJSONService(t testing.TB) *JSONService {
	s := &JSONService{replies: map[string]func([]byte) (int, string){}}
	s.URL = serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		target := r.Header.Get("X-Amz-Target")
		op := target[strings.LastIndexByte(target, '.')+1:]
		s.record(op, body)
		s.mu.Lock()
		reply := s.replies[op]
		s.mu.Unlock()
		status, out := http.StatusOK, "{}"
		if reply != nil {
			status, out = reply(body)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, out)
	})
	return s
}

// Reply sets the answer of op.
func (s *JSONService) Reply(op string, f func(body []byte) (status int, reply string)) {
	s.mu.Lock()
	s.replies[op] = f
	s.mu.Unlock()
}

// Ops lists the operations called so far, in order.
func (s *JSONService) Ops() []string {
	var ops []string
	for _, c := range s.Calls() {
		ops = append(ops, c.Op)
	}
	return ops
}

// Captcha is a siteverify endpoint (reCAPTCHA, hCaptcha, Turnstile) that
// accepts GoodToken with Secret and rejects anything else. Its replies
// carry reCAPTCHA v3's score, action and hostname: GoodToken is a human
// (score 0.9) doing CaptchaAction on CaptchaHostname; LowScoreToken,
// OtherActionToken and OtherHostToken are solved (success true) but by a
// bot, for another action, or on another site.
type Captcha struct{ Server }

// Captcha's credentials and tokens.
const (
	CaptchaSecret    = "captcha-SECRET-site"
	GoodToken        = "captcha-token-good"
	LowScoreToken    = "captcha-token-low-score"
	OtherActionToken = "captcha-token-other-action"
	OtherHostToken   = "captcha-token-other-host"
	CaptchaAction    = "login"
	CaptchaHostname  = "app.example.com"
)

// NewCaptcha starts a siteverify server that stops when t ends.
func NewCaptcha(t testing.TB) *Captcha {
	c := &Captcha{}
	c.URL = serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.record("siteverify", body)
		form, _ := url.ParseQuery(string(body))
		w.Header().Set("Content-Type", "application/json")
		reply := map[string]any{"success": false}
		if form.Get("secret") == CaptchaSecret {
			solved := map[string]map[string]any{
				GoodToken:        {"score": 0.9},
				LowScoreToken:    {"score": 0.1},
				OtherActionToken: {"score": 0.9, "action": "signup"},
				OtherHostToken:   {"score": 0.9, "hostname": "evil.example.net"},
			}
			if r, ok := solved[form.Get("response")]; ok {
				reply = map[string]any{"success": true, "action": CaptchaAction, "hostname": CaptchaHostname}
				for k, v := range r {
					reply[k] = v
				}
			}
		}
		_ = json.NewEncoder(w).Encode(reply)
	}) + "/siteverify"
	return c
}

// NewSecretsManager starts an AWS Secrets Manager server (JSON 1.1) that
// answers GetSecretValue for the secrets given, by ARN or name, with
// their SecretString; any other secret is ResourceNotFoundException. A
// process reaches it with AWS_ENDPOINT_URL_SECRETS_MANAGER.
func NewSecretsManager(t testing.TB, secrets map[string]string) *JSONService {
	s := NewJSONService(t)
	s.Reply("GetSecretValue", func(body []byte) (int, string) {
		var in struct{ SecretId string }
		_ = json.Unmarshal(body, &in)
		v, ok := secrets[in.SecretId]
		if !ok {
			return http.StatusBadRequest, `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`
		}
		out, _ := json.Marshal(map[string]any{"ARN": in.SecretId, "Name": in.SecretId, "SecretString": v, "VersionId": "v1"})
		return http.StatusOK, string(out)
	})
	return s
}
