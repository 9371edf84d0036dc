package messages

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SESAPI is the part of the Amazon SES v2 API that SES uses;
// *sesv2.Client implements it.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES delivers email through Amazon SES (API v2).
type SES struct {
	Client SESAPI
	// From is the sender address, an identity verified in SES, optionally
	// with a display name: "Example <no-reply@example.com>".
	From string
	// ConfigurationSet, if set, names the SES configuration set (for event
	// publishing and suppression settings).
	ConfigurationSet string
}

// SendEmail sends e as a simple HTML email.
func (s *SES) SendEmail(ctx context.Context, e Email) error {
	if s.Client == nil || s.From == "" {
		return errors.New("messages: SES needs a Client and a From address")
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.From),
		Destination:      &sestypes.Destination{ToAddresses: []string{e.To}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(e.Subject), Charset: aws.String("UTF-8")},
			Body:    &sestypes.Body{Html: &sestypes.Content{Data: aws.String(e.HTML), Charset: aws.String("UTF-8")}},
		}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	_, err := s.Client.SendEmail(ctx, in)
	return err
}

// SNSAPI is the part of the Amazon SNS API that SNS uses; *sns.Client
// implements it.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNS delivers text messages through Amazon SNS, as transactional SMS.
type SNS struct {
	Client SNSAPI
	// SenderID, if set, is the alphanumeric sender ID, where the country
	// allows one.
	SenderID string
	// OriginationNumber, if set, is the number to send from (E.164).
	OriginationNumber string
}

// SendSMS publishes s to its phone number.
func (n *SNS) SendSMS(ctx context.Context, s SMS) error {
	if n.Client == nil {
		return errors.New("messages: SNS needs a Client")
	}
	attrs := map[string]snstypes.MessageAttributeValue{
		// Codes are transactional: SNS then favours delivery over cost.
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	if n.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(n.SenderID)}
	}
	if n.OriginationNumber != "" {
		attrs["AWS.MM.SMS.OriginationNumber"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(n.OriginationNumber)}
	}
	_, err := n.Client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(s.To),
		Message:           aws.String(s.Text),
		MessageAttributes: attrs,
	})
	return err
}

// CognitoAPI is the part of the Amazon Cognito user pools API that
// CognitoUsers uses; *cognitoidentityprovider.Client implements it.
type CognitoAPI interface {
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// CognitoUsers looks users up with AdminGetUser (the function's role needs
// cognito-idp:AdminGetUser on the user pool). It implements UserDirectory.
type CognitoUsers struct {
	Client CognitoAPI
}

// UserAttributes returns the attributes of the user userName (or an alias
// of it) in the pool userPoolID.
func (c *CognitoUsers) UserAttributes(ctx context.Context, userPoolID, userName string) (map[string]string, error) {
	if c.Client == nil {
		return nil, errors.New("messages: CognitoUsers needs a Client")
	}
	out, err := c.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(userPoolID), Username: aws.String(userName)})
	if err != nil {
		return nil, fmt.Errorf("AdminGetUser (the role needs cognito-idp:AdminGetUser): %w", err)
	}
	attrs := make(map[string]string, len(out.UserAttributes))
	for _, a := range out.UserAttributes {
		if a.Name != nil && a.Value != nil {
			attrs[*a.Name] = *a.Value
		}
	}
	return attrs, nil
}
