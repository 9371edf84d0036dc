package deliver

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// SESAPI is the part of the SES v2 client that SES uses;
// *sesv2.Client implements it.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES sends email messages with the Amazon SES v2 SendEmail API. The
// function needs ses:SendEmail on the From identity.
type SES struct {
	Client SESAPI
	// From is the sender address, a verified SES identity.
	From string
	// ConfigurationSet is the optional SES configuration set to send with.
	ConfigurationSet string
}

// Send implements Sender. It sends plain text only: a code or link needs
// nothing else, and text is what every mail client shows.
func (s *SES) Send(ctx context.Context, m Message) error {
	if m.Channel != Email {
		return fmt.Errorf("deliver: SES sends email, not %s; use another Sender for that channel", m.Channel)
	}
	if m.To == "" {
		return fmt.Errorf("deliver: SES: message has no recipient")
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.From),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: aws.String("UTF-8")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(m.Text()), Charset: aws.String("UTF-8")}},
		}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	if _, err := s.Client.SendEmail(ctx, in); err != nil {
		return fmt.Errorf("deliver: SES SendEmail: %w", err)
	}
	return nil
}
