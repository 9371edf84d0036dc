package deliver

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNSAPI is the part of the SNS client that SNS uses; *sns.Client
// implements it.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNS sends SMS messages with the Amazon SNS Publish API, straight to the
// phone number, as transactional messages. The function needs sns:Publish
// (on "*", as SMS has no topic).
type SNS struct {
	Client SNSAPI
	// SenderID is the optional alphanumeric sender ID, where the
	// destination country supports one.
	SenderID string
}

// Send implements Sender.
func (s *SNS) Send(ctx context.Context, m Message) error {
	if m.Channel != SMS {
		return fmt.Errorf("deliver: SNS sends SMS, not %s; use another Sender for that channel", m.Channel)
	}
	if m.To == "" {
		return fmt.Errorf("deliver: SNS: message has no phone number")
	}
	attrs := map[string]types.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	if s.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s.SenderID)}
	}
	_, err := s.Client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(m.To),
		Message:           aws.String(m.Text()),
		MessageAttributes: attrs,
	})
	if err != nil {
		return fmt.Errorf("deliver: SNS Publish: %w", err)
	}
	return nil
}
