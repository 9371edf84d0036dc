package deliver

import (
	"github.com/cognitrig/cognitrig/delivery"
)

// The types below are package delivery's, so that a sender written for
// custom authentication also serves lifecycle/messages. The Amazon SES and
// SNS senders are delivery/ses.Sender and delivery/sns.Sender: each in its
// own package, so that a function links only the service it sends through.

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

// CheckBody reports an error unless body holds Placeholder exactly once.
// Challenges check their templates with it when they are configured.
func CheckBody(body string) error { return delivery.CheckBody(body) }

// MaskAddress hides most of an email address or phone number, keeping
// enough to recognise it: "j***@example.com", "+1******0100".
func MaskAddress(addr string) string { return delivery.MaskAddress(addr) }
