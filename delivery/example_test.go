package delivery_test

import (
	"context"
	"fmt"

	"github.com/cognitrig/cognitrig/delivery"
	"github.com/cognitrig/cognitrig/triggers"
)

// One value can serve custom authentication (Sender) and the custom sender
// triggers (EmailSender, SMSSender): here an outbox that prints what it
// would send, without the code.
type outbox struct{}

func (outbox) Send(_ context.Context, m delivery.Message) error {
	fmt.Printf("%s to %s: %s\n", m.Channel, delivery.MaskAddress(m.To), m.Masked())
	return nil
}

func (outbox) SendEmail(_ context.Context, e delivery.Email) error {
	fmt.Printf("email to %s: %v\n", delivery.MaskAddress(e.To), e)
	return nil
}

func (outbox) SendSMS(_ context.Context, s delivery.SMS) error {
	fmt.Printf("SMS to %s: %v\n", delivery.MaskAddress(s.To), s)
	return nil
}

func Example() {
	var (
		s delivery.Sender      = outbox{}
		e delivery.EmailSender = outbox{}
		t delivery.SMSSender   = outbox{}
	)
	ctx := context.Background()
	_ = s.Send(ctx, delivery.Message{Channel: delivery.ChannelSMS, To: "+15555550100", Body: "Code: " + delivery.Placeholder, Secret: triggers.Secret("483920")})
	_ = e.SendEmail(ctx, delivery.Email{To: "jdoe@example.com", Subject: "Welcome", HTML: "<p>483920</p>"})
	_ = t.SendSMS(ctx, delivery.SMS{To: "+15555550100", Text: "483920"})

	// Output:
	// SMS to +1******0100: Code: [REDACTED]
	// email to j***@example.com: delivery.Email{Subject:7 bytes HTML:13 bytes}
	// SMS to +1******0100: delivery.SMS{Text:6 bytes}
}
