package sns

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/cognitrig/cognitrig/delivery"
)

// API is the part of the Amazon SNS API that Sender uses; *sns.Client
// implements it.
type API interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Sender sends SMS with the Amazon SNS Publish API, straight to the phone
// number, as transactional messages (SNS then favours delivery over cost).
// The function needs sns:Publish (on "*", as SMS has no topic). It
// implements delivery.Sender and delivery.SMSSender.
type Sender struct {
	Client API
	// SenderID, if set, is the alphanumeric sender ID, where the
	// destination country allows one (AWS.SNS.SMS.SenderID).
	SenderID string
	// OriginationNumber, if set, is the number to send from, in E.164 form
	// (AWS.MM.SMS.OriginationNumber).
	OriginationNumber string
}

var (
	_ delivery.Sender    = (*Sender)(nil)
	_ delivery.SMSSender = (*Sender)(nil)
)

// Send implements delivery.Sender. Errors: a Message of another channel, a
// missing Client, a phone number not in E.164 form, or the Publish error
// (wrapped).
func (n *Sender) Send(ctx context.Context, m delivery.Message) error {
	if err := delivery.CheckChannel("SNS", delivery.ChannelSMS, m.Channel); err != nil {
		return err
	}
	return n.publish(ctx, m.To, m.Text())
}

// SendSMS implements delivery.SMSSender. Errors are Send's.
func (n *Sender) SendSMS(ctx context.Context, s delivery.SMS) error {
	return n.publish(ctx, s.To, s.Text)
}

func (n *Sender) publish(ctx context.Context, to, text string) error {
	if n.Client == nil {
		return errors.New("delivery: SNS needs a Client")
	}
	if err := delivery.CheckPhoneNumber(to); err != nil {
		return fmt.Errorf("delivery: SNS: %w", err)
	}
	attrs := map[string]types.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": stringAttr("Transactional"),
	}
	if n.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = stringAttr(n.SenderID)
	}
	if n.OriginationNumber != "" {
		attrs["AWS.MM.SMS.OriginationNumber"] = stringAttr(n.OriginationNumber)
	}
	// The SDK's error names the operation and the service's answer, never
	// the request: the text (the code) stays out of it.
	_, err := n.Client.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String(to), Message: aws.String(text), MessageAttributes: attrs})
	if err != nil {
		return fmt.Errorf("delivery: SNS Publish (the role needs sns:Publish): %w", err)
	}
	return nil
}

func stringAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}
