package ses

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/cognitrig/cognitrig/delivery"
)

// API is the part of the Amazon SES v2 API that Sender uses;
// *sesv2.Client implements it.
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Sender sends email with the Amazon SES v2 SendEmail API, as a simple
// (subject and one body) UTF-8 message. The function needs ses:SendEmail
// on the From identity (and on the configuration set, when one is named).
// It implements delivery.Sender (plain text) and delivery.EmailSender
// (HTML).
type Sender struct {
	Client API
	// From is the sender address, an identity verified in SES, optionally
	// with a display name: "Example <no-reply@example.com>". Required.
	From string
	// ConfigurationSet, if set, names the SES configuration set (for event
	// publishing and suppression settings).
	ConfigurationSet string
}

var (
	_ delivery.Sender      = (*Sender)(nil)
	_ delivery.EmailSender = (*Sender)(nil)
)

// Send implements delivery.Sender. It sends plain text only: a code or
// link needs nothing else, and text is what every mail client shows.
// Errors: a Message of another channel, a missing Client or From, a
// malformed recipient, or the SendEmail error (wrapped).
func (s *Sender) Send(ctx context.Context, m delivery.Message) error {
	if err := delivery.CheckChannel("SES", delivery.ChannelEmail, m.Channel); err != nil {
		return err
	}
	return s.send(ctx, m.To, m.Subject, &types.Body{Text: utf8Content(m.Text())})
}

// SendEmail implements delivery.EmailSender: it sends e as an HTML email.
// Errors are Send's.
func (s *Sender) SendEmail(ctx context.Context, e delivery.Email) error {
	return s.send(ctx, e.To, e.Subject, &types.Body{Html: utf8Content(e.HTML)})
}

func (s *Sender) send(ctx context.Context, to, subject string, body *types.Body) error {
	if s.Client == nil || s.From == "" {
		return errors.New("delivery: SES needs a Client and a From address")
	}
	if err := delivery.CheckEmailAddress(to); err != nil {
		return fmt.Errorf("delivery: SES: %w", err)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.From),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content:          &types.EmailContent{Simple: &types.Message{Subject: utf8Content(subject), Body: body}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	// The SDK's error names the operation and the service's answer, never
	// the request: the body (the code) stays out of it.
	if _, err := s.Client.SendEmail(ctx, in); err != nil {
		return fmt.Errorf("delivery: SES SendEmail (the role needs ses:SendEmail on the From identity): %w", err)
	}
	return nil
}

func utf8Content(s string) *types.Content {
	return &types.Content{Data: aws.String(s), Charset: aws.String("UTF-8")}
}
