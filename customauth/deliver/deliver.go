package deliver

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
	Email Channel = "EMAIL"
	SMS   Channel = "SMS"
)

// Placeholder marks where the secret goes in a message body.
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
// trigger's 5-second budget.
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
		return fmt.Errorf("deliver: message body must contain %s exactly once, has it %d times", Placeholder, n)
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
