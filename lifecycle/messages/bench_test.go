package messages_test

import (
	"context"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func BenchmarkCustomMessage(b *testing.B) {
	c := newCatalog(b)
	ev := triggertest.Decode[triggers.CustomMessageEvent](b, "CustomMessage_SignUp")
	ev.Request.UserAttributes["locale"] = "pt-BR"
	b.ReportAllocs()
	for b.Loop() {
		if err := c.CustomMessage(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCustomSender measures decrypt (AWS Encryption SDK, raw AES),
// render and hand-off to a local sender.
func BenchmarkCustomSender(b *testing.B) {
	codec := rawAES(b, testKey)
	box := &outbox{}
	s, err := messages.NewSenders(messages.SendersConfig{Catalog: newCatalog(b), Decrypter: codec, SMS: box})
	if err != nil {
		b.Fatal(err)
	}
	ev := triggertest.Decode[triggers.CustomSenderEvent](b, "CustomSMSSender_Authentication")
	ev.Request.Code = triggers.Secret(encryptedCode(b, codec, theCode))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.CustomSMSSender(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
		box.sms.Reset()
	}
}
