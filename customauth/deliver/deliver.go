package deliver

import (
	"github.com/cognitrig/cognitrig/delivery"
)

// The types below are package delivery's, so that a sender written for
// custom authentication also serves lifecycle/messages, and the Amazon SES
// and SNS senders exist once.

// Channel is how a message reaches the user.
type Channel = delivery.Channel

// Channels.
const (
	Email = delivery.ChannelEmail
	SMS   = delivery.ChannelSMS
)

// Placeholder marks where the secret goes in a message body.
const Placeholder = delivery.Placeholder

// Message is one code or link to deliver: Body holds Placeholder where
// Secret goes. See delivery.Message.
type Message = delivery.Message

// Sender delivers messages. Send must honour ctx: it runs within the
// trigger's 5-second budget.
type Sender = delivery.Sender

// SenderFunc adapts a function to Sender.
type SenderFunc = delivery.SenderFunc

// Log is a development Sender: it logs each message, the secret masked
// unless Reveal is set, instead of delivering it.
type Log = delivery.Log

// SESAPI is the part of the SES v2 client that SES uses;
// *sesv2.Client implements it.
type SESAPI = delivery.SESAPI

// SES sends email messages with the Amazon SES v2 SendEmail API, as plain
// text. The function needs ses:SendEmail on the From identity.
type SES = delivery.SES

// SNSAPI is the part of the SNS client that SNS uses; *sns.Client
// implements it.
type SNSAPI = delivery.SNSAPI

// SNS sends SMS messages with the Amazon SNS Publish API, straight to the
// phone number, as transactional messages. The function needs sns:Publish.
type SNS = delivery.SNS

// CheckBody reports an error unless body holds Placeholder exactly once.
// Challenges check their templates with it when they are configured.
func CheckBody(body string) error { return delivery.CheckBody(body) }

// MaskAddress hides most of an email address or phone number, keeping
// enough to recognise it: "j***@example.com", "+1******0100".
func MaskAddress(addr string) string { return delivery.MaskAddress(addr) }
