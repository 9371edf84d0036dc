package messages

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"maps"
	"strings"

	"github.com/cognitrig/cognitrig/delivery"
	"github.com/cognitrig/cognitrig/triggers"
)

// Email is an email to deliver (package delivery's Email). It holds the
// plain code, so it prints and logs without its body or recipient.
type Email = delivery.Email

// SMS is a text message to deliver (package delivery's SMS). It holds the
// plain code, so it prints and logs without its text or recipient.
type SMS = delivery.SMS

// EmailSender delivers an email. SES implements it; so does any
// delivery.EmailSender, which it is.
type EmailSender = delivery.EmailSender

// SMSSender delivers a text message. SNS implements it; so does any
// delivery.SMSSender, which it is.
type SMSSender = delivery.SMSSender

// Decrypter decrypts the code that Cognito sends to a custom sender: an AWS
// Encryption SDK message, encrypted with the KMS key of the user pool's
// LambdaConfig. The esdk package implements it.
type Decrypter interface {
	Decrypt(ctx context.Context, ciphertext []byte) ([]byte, error)
}

// UserDirectory looks up a user's attributes by user name (or alias).
// cognitousers.Directory implements it with AdminGetUser; tests use a fake.
type UserDirectory interface {
	UserAttributes(ctx context.Context, userPoolID, userName string) (map[string]string, error)
}

// Senders handles the custom email and SMS sender triggers: it decrypts the
// code, renders the template of the event's kind in the user's locale and
// delivers the message. The plain code lives only in memory for the send:
// it is never logged, and errors never quote it.
//
//	r.CustomEmailSender(senders.CustomEmailSender)
//	r.CustomSMSSender(senders.CustomSMSSender)
//
// Two sources differ from the rest, as Cognito sends them:
//
//   - *_AdminCreateUser: the code is the temporary password, which Cognito
//     HTML-escapes before it encrypts it; Senders unescapes it, so the SMS
//     carries the password as it is and the email shows it exactly
//     (the email template, or Funcs with html.EscapeString, escapes it
//     once, for HTML).
//
//   - CustomEmailSender_AccountTakeOverNotification: no code and no client
//     metadata; the userAttributes describe the risky sign-in
//     (AccountTakeOver) and hold no email address. Cognito sends these
//     warnings by email to the user (Amazon Cognito Developer Guide,
//     "Threat protection", notification messages), so Senders looks the
//     user's email attribute up in the user pool (SendersConfig.Users)
//     when the event lacks it.
type Senders struct {
	catalog   *Catalog
	decrypter Decrypter
	email     EmailSender
	sms       SMSSender
	users     UserDirectory
	link      func(ev *triggers.CustomSenderEvent, code string) string
}

// SendersConfig configures Senders.
type SendersConfig struct {
	Catalog   *Catalog  // required
	Decrypter Decrypter // required
	Email     EmailSender
	SMS       SMSSender
	// Link builds the verification link for templates with VerifyByLink,
	// which Cognito does not provide to custom senders. Required when the
	// catalog has such a template.
	Link func(ev *triggers.CustomSenderEvent, code string) string
	// Users finds the email address of the user of an account-takeover
	// notification, whose event carries none. Required when Email is set
	// and the catalog has an AccountTakeOverNotification email; in
	// production, &cognitousers.Directory{Client: cognitoidentityprovider client},
	// whose role needs cognito-idp:AdminGetUser on the pool.
	Users UserDirectory
}

// NewSenders checks cfg and returns Senders.
func NewSenders(cfg SendersConfig) (*Senders, error) {
	var errs []error
	if cfg.Catalog == nil {
		errs = append(errs, errors.New("messages: SendersConfig.Catalog is nil"))
	}
	if cfg.Decrypter == nil {
		errs = append(errs, errors.New("messages: SendersConfig.Decrypter is nil; use esdk.NewKMS in production"))
	}
	if cfg.Email == nil && cfg.SMS == nil {
		errs = append(errs, errors.New("messages: SendersConfig has neither Email nor SMS sender"))
	}
	if cfg.Catalog != nil && cfg.Link == nil && cfg.Catalog.anyVerifyByLink() {
		errs = append(errs, errors.New("messages: the catalog has VerifyByLink templates but SendersConfig.Link is nil; custom senders get no link from Cognito, so give a function that builds it from the code"))
	}
	if cfg.Catalog != nil && cfg.Email != nil && cfg.Users == nil && cfg.Catalog.hasEmail(AccountTakeOverNotification) {
		errs = append(errs, errors.New("messages: the catalog has an AccountTakeOverNotification email but SendersConfig.Users is nil; Cognito's account-takeover events carry no email address, so give a UserDirectory (cognitousers.Directory, with cognito-idp:AdminGetUser) to find it"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Senders{catalog: cfg.Catalog, decrypter: cfg.Decrypter, email: cfg.Email, sms: cfg.SMS, users: cfg.Users, link: cfg.Link}, nil
}

// CustomEmailSender handles CustomEmailSender_* events.
func (s *Senders) CustomEmailSender(ctx context.Context, ev *triggers.CustomSenderEvent) error {
	if s.email == nil {
		return fmt.Errorf("messages: %s: no email sender configured", ev.TriggerSource)
	}
	if ev.Request.Type != "" && ev.Request.Type != triggers.CustomEmailSenderRequestV1 {
		return fmt.Errorf("messages: %s: request type %q, want %s", ev.TriggerSource, ev.Request.Type, triggers.CustomEmailSenderRequestV1)
	}
	to, profile, err := s.recipient(ctx, ev, "email")
	if err != nil {
		return err
	}
	m, err := s.render(ctx, ev, profile)
	if err != nil {
		return err
	}
	if m.Email == "" {
		return fmt.Errorf("messages: %s: the %s template in locale %s has no email; add one or detach the custom email sender", ev.TriggerSource, m.Kind, m.Locale)
	}
	if err := s.email.SendEmail(ctx, Email{To: to, Subject: m.Subject, HTML: m.Email}); err != nil {
		return fmt.Errorf("messages: %s: send email: %w", ev.TriggerSource, err)
	}
	return nil
}

// CustomSMSSender handles CustomSMSSender_* events.
func (s *Senders) CustomSMSSender(ctx context.Context, ev *triggers.CustomSenderEvent) error {
	if s.sms == nil {
		return fmt.Errorf("messages: %s: no SMS sender configured", ev.TriggerSource)
	}
	if ev.Request.Type != "" && ev.Request.Type != triggers.CustomSMSSenderRequestV1 {
		return fmt.Errorf("messages: %s: request type %q, want %s", ev.TriggerSource, ev.Request.Type, triggers.CustomSMSSenderRequestV1)
	}
	to, profile, err := s.recipient(ctx, ev, "phone_number")
	if err != nil {
		return err
	}
	m, err := s.render(ctx, ev, profile)
	if err != nil {
		return err
	}
	if m.SMS == "" {
		return fmt.Errorf("messages: %s: the %s template in locale %s has no SMS text; add one or detach the custom SMS sender", ev.TriggerSource, m.Kind, m.Locale)
	}
	if err := s.sms.SendSMS(ctx, SMS{To: to, Text: m.SMS}); err != nil {
		return fmt.Errorf("messages: %s: send SMS: %w", ev.TriggerSource, err)
	}
	return nil
}

// recipient returns the user's attribute attr (email or phone_number):
// from the event, or, for an account-takeover notification, whose event
// describes the sign-in instead of the user, from the user pool, with the
// user's attributes (profile) as looked up (nil when the event had attr).
// Other sources are never looked up: their event holds the address to
// send to, which for UpdateUserAttribute is the new, unverified one.
func (s *Senders) recipient(ctx context.Context, ev *triggers.CustomSenderEvent, attr string) (to string, profile map[string]string, err error) {
	if to := ev.Request.UserAttributes[attr]; to != "" {
		return to, nil, nil
	}
	if k, _ := KindOf(ev.TriggerSource); k != AccountTakeOverNotification {
		return "", nil, fmt.Errorf("messages: %s: the user has no %s attribute to send to", ev.TriggerSource, attr)
	}
	if s.users == nil {
		return "", nil, fmt.Errorf("messages: %s: the event has no %s and SendersConfig.Users is nil; set it to look the user up", ev.TriggerSource, attr)
	}
	name := ev.UserName
	if name == "" {
		name = ev.Request.UserAttributes["USER_NAME"]
	}
	if name == "" {
		return "", nil, fmt.Errorf("messages: %s: the event names no user to look up", ev.TriggerSource)
	}
	profile, err = s.users.UserAttributes(ctx, ev.UserPoolID, name)
	if err != nil {
		return "", nil, fmt.Errorf("messages: %s: look up the user's %s: %w", ev.TriggerSource, attr, err)
	}
	if to := profile[attr]; to != "" {
		return to, profile, nil
	}
	return "", nil, fmt.Errorf("messages: %s: the user has no %s attribute to send to", ev.TriggerSource, attr)
}

// render decrypts the code and renders the message. profile holds the
// user's attributes when recipient looked them up.
func (s *Senders) render(ctx context.Context, ev *triggers.CustomSenderEvent, profile map[string]string) (Rendered, error) {
	k, ok := KindOf(ev.TriggerSource)
	if !ok {
		return Rendered{}, fmt.Errorf("messages: %s is not a custom sender trigger source", ev.TriggerSource)
	}
	if k == AccountTakeOverNotification {
		return s.renderAccountTakeOver(ev, profile)
	}
	if ev.Request.Code.IsZero() {
		return Rendered{}, fmt.Errorf("messages: %s: the event has no code", ev.TriggerSource)
	}
	code, err := s.decrypt(ctx, ev.Request.Code)
	if err != nil {
		return Rendered{}, fmt.Errorf("messages: %s: %w", ev.TriggerSource, err)
	}
	if k == AdminCreateUser {
		// The temporary password arrives HTML-escaped (cognito-facts:
		// "for *_AdminCreateUser the decrypted code is the temporary
		// password, HTML-escaped by Cognito"): unescape it once, so the
		// SMS carries the password and the email escapes it once.
		code = html.UnescapeString(code)
	}
	d := Data{Code: code, Username: ev.UserName, Attributes: ev.Request.UserAttributes}
	if s.link != nil && s.catalog.VerifiesByLink(k, d.Attributes) {
		d.Link = s.link(ev, code)
	}
	m, err := s.catalog.Render(k, d)
	if err != nil {
		return Rendered{}, fmt.Errorf("messages: %s: %w", ev.TriggerSource, err)
	}
	// The catalog guaranteed the placeholder; make sure the code itself
	// made it (a template could, say, truncate it). The email holds it
	// HTML-escaped.
	if !s.catalog.VerifiesByLink(k, d.Attributes) &&
		((m.Email != "" && !strings.Contains(html.UnescapeString(m.Email), code)) || (m.SMS != "" && !strings.Contains(m.SMS, code))) {
		return Rendered{}, fmt.Errorf("messages: %s: the rendered %s/%s message does not contain the code; check the template", ev.TriggerSource, m.Locale, k)
	}
	return m, nil
}

// renderAccountTakeOver renders the warning of a risky sign-in. The event
// has a null code (nothing to decrypt); its attributes describe the
// sign-in. The template sees the user's looked-up attributes (so the
// user's locale picks it) with the event's on top.
func (s *Senders) renderAccountTakeOver(ev *triggers.CustomSenderEvent, profile map[string]string) (Rendered, error) {
	a := AccountTakeOverOf(ev.Request.UserAttributes)
	name := ev.UserName
	if name == "" {
		name = a.UserName
	}
	attrs := make(map[string]string, len(profile)+len(ev.Request.UserAttributes))
	maps.Copy(attrs, profile)
	maps.Copy(attrs, ev.Request.UserAttributes)
	m, err := s.catalog.Render(AccountTakeOverNotification, Data{Username: name, Attributes: attrs, AccountTakeOver: a})
	if err != nil {
		return Rendered{}, fmt.Errorf("messages: %s: %w", ev.TriggerSource, err)
	}
	// The catalog checked that the template places both links; make sure
	// these did (the error names no link: they carry the feedback token).
	for _, link := range []string{a.ValidLink, a.InvalidLink} {
		if link != "" && ((m.Email != "" && !strings.Contains(html.UnescapeString(m.Email), link)) || (m.SMS != "" && !strings.Contains(m.SMS, link))) {
			return Rendered{}, fmt.Errorf("messages: %s: the rendered %s/%s message lacks a feedback link; check the template", ev.TriggerSource, m.Locale, AccountTakeOverNotification)
		}
	}
	return m, nil
}

// decrypt base64-decodes and decrypts the code. The error says what failed,
// never the value.
func (s *Senders) decrypt(ctx context.Context, code triggers.Secret) (string, error) {
	ciphertext, err := base64.StdEncoding.DecodeString(code.Reveal())
	if err != nil {
		return "", errors.New("decrypt code: the code is not base64; is this event from Cognito?")
	}
	plain, err := s.decrypter.Decrypt(ctx, ciphertext)
	if err != nil {
		return "", fmt.Errorf("decrypt code (check that the function's key is the user pool's custom sender KMS key): %w", err)
	}
	out := string(plain)
	clear(plain)
	return out, nil
}
