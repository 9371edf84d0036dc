package main

import (
	"debug/buildinfo"
	"fmt"
	"slices"
	"strings"
	"testing"

	bt "github.com/cognitrig/cognitrig/handlers/internal/bootstraptest"
	"github.com/cognitrig/cognitrig/handlers/internal/bootstraptest/sendercode"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestMain(m *testing.M) { bt.Main(m) }

// TestBootstrap runs the shipped binary without custom senders and sends
// it every recorded event: custom messages get the default templates,
// with Cognito's placeholders; other triggers are not served.
func TestBootstrap(t *testing.T) {
	bin := bt.Build(t, ".")
	fn, log := bt.Start(t, bin, bt.AWSEnv(nil)...)
	for _, name := range triggertest.Names() {
		payload := triggertest.Load(t, name)
		res := bt.Invoke(t, fn, payload)
		if bt.Unserved(t, name, bt.TriggerOf(t, payload), res, triggers.CustomMessage) {
			continue
		}
		ev := bt.Decode[triggers.CustomMessageEvent](t, name, res)
		r := ev.Response
		if !strings.Contains(r.EmailMessage, "{####}") || !strings.Contains(r.SMSMessage, "{####}") || r.EmailSubject == "" {
			t.Errorf("%s: %+v", name, r)
		}
		if ev.TriggerSource == triggers.CustomMessageAdminCreateUser && !strings.Contains(r.EmailMessage, "{username}") {
			t.Errorf("%s: the invitation lacks the user name: %s", name, r.EmailMessage)
		}
	}
	bt.ExpectCleanRun(t, fn, log)
}

// TestCustomSenders runs the binary with a KMS key: it decrypts the codes
// (AWS Encryption SDK, with a local KMS) and delivers every message
// through local SES and SNS servers.
func TestCustomSenders(t *testing.T) {
	bin := bt.Build(t, ".")
	kms, ses, sns, cognito := awsfake.NewKMS(t), awsfake.NewSES(t), awsfake.NewSNS(t), bt.Cognito(t)
	// Account-takeover events carry no address: the function looks the
	// user up.
	fn, log := bt.Start(t, bin, append(bt.AWSEnv(map[string]string{"KMS": kms.URL, "SESV2": ses.URL, "SNS": sns.URL, "COGNITO_IDENTITY_PROVIDER": cognito.URL}),
		"COGNITRIG_KMS_KEY_ARN="+awsfake.KMSKeyARN, "COGNITRIG_EMAIL_FROM=no-reply@example.com", "COGNITRIG_LOG_LEVEL=debug")...)
	var codes []string
	for i, name := range triggertest.Names() {
		payload := triggertest.Load(t, name)
		tr := bt.TriggerOf(t, payload)
		if tr != triggers.CustomEmailSender && tr != triggers.CustomSMSSender {
			continue
		}
		code := fmt.Sprintf("%06d", 314159+i)
		if strings.Contains(name, "AccountTakeOver") {
			// Sent as Cognito sends it, with a null code.
			bt.Answer(t, name, payload, bt.Invoke(t, fn, payload))
		} else {
			// The recorded code is not a real ciphertext: it is refused,
			// without a trace of it in the answer.
			msg := bt.Refusal(t, name, bt.Invoke(t, fn, payload))
			// The client sees the client message; the cause ("decrypt") is logged.
			if !strings.Contains(msg, triggers.DefaultClientMessage) || strings.Contains(msg, "SECRET") {
				t.Errorf("%s: recorded code: %q", name, msg)
			}
			codes = append(codes, code)
			payload = triggertest.FromJSON(t, payload).Set("request.code", sendercode.Encrypt(t, kms.URL, code)).JSON(t)
			bt.Answer(t, name, payload, bt.Invoke(t, fn, payload))
		}
		sent := ses.Emails()
		if tr == triggers.CustomSMSSender {
			sms := sns.Messages()
			if len(sms) == 0 || sms[len(sms)-1].To != "+15555550100" {
				t.Errorf("%s: SMS %+v", name, sms)
				continue
			}
			if !strings.Contains(name, "AccountTakeOver") && !strings.Contains(sms[len(sms)-1].Text, code) {
				t.Errorf("%s: the SMS lacks the code: %q", name, sms[len(sms)-1].Text)
			}
			continue
		}
		if len(sent) == 0 || sent[len(sent)-1].To != "jdoe@example.com" || sent[len(sent)-1].From != "no-reply@example.com" {
			t.Errorf("%s: emails %+v", name, sent)
			continue
		}
		if e := sent[len(sent)-1]; !strings.Contains(name, "AccountTakeOver") && !strings.Contains(e.HTML, code) {
			t.Errorf("%s: the email lacks the code: %q", name, e.HTML)
		} else if strings.Contains(name, "AccountTakeOver") && (!strings.Contains(e.HTML, "We blocked this sign-in") || !strings.Contains(e.HTML, "valid=false")) {
			t.Errorf("%s: the warning lacks the action or the links: %q", name, e.HTML)
		}
	}
	if len(codes) != 14 || len(ses.Emails()) != 8 || len(sns.Messages()) != 8 {
		t.Errorf("%d codes, %d emails, %d SMS; want 14, 8, 8", len(codes), len(ses.Emails()), len(sns.Messages()))
	}
	l := log.Final()
	if slices.ContainsFunc(codes, func(c string) bool { return bt.HoldsCode(l, c) }) || strings.Contains(l, "SECRET") {
		t.Errorf("a code reached the log:\n%.3000s", l)
	}
}

// TestBadConfigurationFailsAtStart: every bad variable is named, and the
// function ends before it asks for an event.
func TestBadConfigurationFailsAtStart(t *testing.T) {
	bin := bt.Build(t, ".")
	out := bt.StartFails(t, bin, append(bt.AWSEnv(nil), "AWS_REGION=us-east-1",
		"COGNITRIG_KMS_KEY_ARN=alias/cognito-senders", "COGNITRIG_LOG_LEVEL=verbose")...)
	for _, name := range []string{"COGNITRIG_KMS_KEY_ARN", "COGNITRIG_EMAIL_FROM", "COGNITRIG_LOG_LEVEL"} {
		if !strings.Contains(out, name) {
			t.Errorf("the error does not name %s:\n%s", name, out)
		}
	}
}

// TestWithoutSenders builds the binary as the CDK app does for a pool
// without custom senders (-tags cognitrig_nosenders): it answers custom
// messages, links no Encryption SDK, and refuses to start when asked for
// the senders it lacks.
func TestWithoutSenders(t *testing.T) {
	bin := bt.BuildTags(t, ".", "cognitrig_nosenders")
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range info.Deps {
		if strings.Contains(dep.Path, "aws-encryption-sdk") {
			t.Errorf("the build without senders links %s", dep.Path)
		}
	}

	fn, _ := bt.Start(t, bin, bt.AWSEnv(nil)...)
	res := bt.Invoke(t, fn, triggertest.Load(t, "CustomMessage_SignUp"))
	if r := bt.Decode[triggers.CustomMessageEvent](t, "CustomMessage_SignUp", res).Response; !strings.Contains(r.EmailMessage, "{####}") {
		t.Errorf("custom message: %+v", r)
	}
	if msg := bt.Refusal(t, "sender", bt.Invoke(t, fn, triggertest.Load(t, "CustomEmailSender_SignUp"))); !strings.Contains(msg, triggers.DefaultClientMessage) { // the cause ("no handler") is logged, not shown
		t.Errorf("a custom sender event: %q", msg)
	}

	out := bt.StartFails(t, bin, append(bt.AWSEnv(nil), "AWS_REGION=us-east-1",
		"COGNITRIG_KMS_KEY_ARN="+awsfake.KMSKeyARN, "COGNITRIG_EMAIL_FROM=no-reply@example.com")...)
	if !strings.Contains(out, "COGNITRIG_KMS_KEY_ARN") || !strings.Contains(out, "cognitrig_nosenders") {
		t.Errorf("the error does not name the variable and the build tag:\n%s", out)
	}
}

// TestNoTemplateExecution: the custom messages are messages.Funcs, not
// templates, so that the function, with or without its senders, does not
// link template execution and starts within 1.10 times the bare bootstrap
// (see bt.NoTemplateExecution and BENCHMARKS.md).
func TestNoTemplateExecution(t *testing.T) {
	bt.NoTemplateExecution(t, bt.Build(t, "."))
	bt.NoTemplateExecution(t, bt.BuildTags(t, ".", "cognitrig_nosenders"))
}
