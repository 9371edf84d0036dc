package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/cognitrig/cognitrig/triggers"
)

// Channel is how a message reaches the user.
type Channel string

// Channels.
const (
	ChannelEmail Channel = "EMAIL"
	ChannelSMS   Channel = "SMS"
)

// Placeholder marks where the secret goes in a Message body.
const Placeholder = "{secret}"

// Message is one code or link to deliver.
type Message struct {
	Channel Channel
	To      string          // an email address, or a phone number in E.164 form
	Subject string          // email only
	Body    string          // plain text with Placeholder where Secret goes
	Secret  triggers.Secret // the code or link
}

// Text returns the body with the secret in place: what a Sender delivers.
// Keep it out of logs.
func (m Message) Text() string { return strings.ReplaceAll(m.Body, Placeholder, m.Secret.Reveal()) }

// Masked returns the body with triggers.Mask in place of the secret.
func (m Message) Masked() string { return strings.ReplaceAll(m.Body, Placeholder, triggers.Mask) }

// Sender delivers messages. Send must honour ctx: it runs within the
// trigger's 5-second budget. SES, SNS and Log implement it.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m Message) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

// CheckBody reports an error unless body holds Placeholder exactly once.
// Challenges check their templates with it when they are configured.
func CheckBody(body string) error {
	if n := strings.Count(body, Placeholder); n != 1 {
		return fmt.Errorf("delivery: message body must contain %s exactly once, has it %d times", Placeholder, n)
	}
	return nil
}

// Log is a development Sender: it writes each message to a logger instead
// of delivering it. The secret is masked unless Reveal is set, which is for
// a developer's own machine only; the recipient is partly masked.
type Log struct {
	Logger *slog.Logger
	Reveal bool
}

// Send implements Sender.
func (l Log) Send(ctx context.Context, m Message) error {
	text := m.Masked()
	if l.Reveal {
		text = m.Text()
	}
	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "deliver: message not sent (development sender)",
		slog.String("channel", string(m.Channel)),
		slog.String("to", MaskAddress(m.To)),
		slog.String("subject", m.Subject),
		slog.String("text", text))
	return nil
}

// MaskAddress hides most of an email address or phone number, keeping
// enough to recognise it: "j***@example.com", "+1******0100".
func MaskAddress(addr string) string {
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		local := addr[:at]
		if local == "" {
			return "***" + addr[at:]
		}
		_, n := utf8.DecodeRuneInString(local)
		return local[:n] + "***" + addr[at:]
	}
	if len(addr) <= 6 {
		return strings.Repeat("*", len(addr))
	}
	return addr[:2] + strings.Repeat("*", len(addr)-6) + addr[len(addr)-4:]
}

// Email is a rendered email to deliver, as the custom email sender trigger
// sends it. It holds the plain code, so it prints and logs without its body
// or recipient.
type Email struct {
	To      string
	Subject string
	HTML    string
}

// String describes the email without its subject, body or recipient: a
// subject may carry the code too ("123456 is your code").
func (e Email) String() string {
	return fmt.Sprintf("delivery.Email{Subject:%d bytes HTML:%d bytes}", len(e.Subject), len(e.HTML))
}

// GoString is String.
func (e Email) GoString() string { return e.String() }

// Format prints String for every verb.
func (e Email) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.String())) }

// LogValue implements slog.LogValuer without the subject, body or
// recipient.
func (e Email) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("subjectLen", len(e.Subject)), slog.Int("htmlLen", len(e.HTML)))
}

// SMS is a rendered text message to deliver. It holds the plain code, so it
// prints and logs without its text or recipient.
type SMS struct {
	To   string // E.164 phone number
	Text string
}

// String describes the message without its text or recipient.
func (s SMS) String() string { return fmt.Sprintf("delivery.SMS{Text:%d bytes}", len(s.Text)) }

// GoString is String.
func (s SMS) GoString() string { return s.String() }

// Format prints String for every verb.
func (s SMS) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue implements slog.LogValuer without the text or recipient.
func (s SMS) LogValue() slog.Value { return slog.GroupValue(slog.Int("textLen", len(s.Text))) }

// EmailSender delivers a rendered email. SES implements it.
type EmailSender interface {
	SendEmail(ctx context.Context, e Email) error
}

// SMSSender delivers a rendered text message. SNS implements it.
type SMSSender interface {
	SendSMS(ctx context.Context, s SMS) error
}
