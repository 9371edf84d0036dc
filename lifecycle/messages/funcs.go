package messages

import (
	"fmt"
	"strings"

	"github.com/cognitrig/cognitrig/internal/must"
)

// Funcs is the text of one message in one locale written as Go functions
// instead of templates. It is for a function that must start fast: a
// program that builds its Catalog with NewFuncs and never calls New does
// not execute templates, so it parses nothing at start-up and the linker
// may drop the exported methods that no code calls (a program that
// executes a template keeps them all, since the linker cannot tell which
// ones a template calls). cognitrig's deployed messages function is built
// this way.
//
// The fields mirror Template's and follow the same rules: a nil function
// leaves that part out; an email needs a subject; VerifyByLink is for
// SignUp and ResendCode only. Subject and SMS are plain text. Email returns
// HTML, so every value it shows must be escaped with html.EscapeString (a
// user chooses their name and attributes, and in a custom message the user
// name is the one they signed up with); NewFuncs refuses an Email that
// shows a value unescaped. A value inside an attribute such as href must
// also be a URL of a scheme you expect: escaping does not stop
// "javascript:".
//
// The functions see the same Data as a template, and Cognito's
// placeholders in a custom message: put d.Code, d.Username and d.Link in
// the text as they are (html.EscapeString leaves "{####}" unchanged). They
// must not keep d or change d.Attributes (the event's own map), and should
// not panic: a panic is reported as an error without its value.
type Funcs struct {
	Subject      func(d Data) string
	Email        func(d Data) string
	SMS          func(d Data) string
	VerifyByLink bool
}

// FuncsConfig describes a Catalog of messages written as Funcs. Its fields
// mean what Config's do.
type FuncsConfig struct {
	// Messages maps a locale ("en", "fr", "pt-BR") to its messages by Kind.
	Messages        map[string]map[Kind]Funcs
	DefaultLocale   string
	LocaleAttribute string
}

// NewFuncs checks every message of cfg as New checks templates, by calling
// each function with sample data, and returns the Catalog, or an error that
// lists every problem (each a *TemplateError). It also refuses an Email
// that shows a value without escaping it for HTML.
func NewFuncs(cfg FuncsConfig) (*Catalog, error) {
	return build(cfg.Messages, cfg.DefaultLocale, cfg.LocaleAttribute, prepareFuncs)
}

// MustNewFuncs is NewFuncs for messages fixed in the program: it panics on
// error.
func MustNewFuncs(cfg FuncsConfig) *Catalog { return must.Value(NewFuncs(cfg)) }

func prepareFuncs(locale string, k Kind, f Funcs) (*message, []error) {
	errs, final := checkShape(locale, k, f.Subject != nil, f.Email != nil, f.SMS != nil, f.VerifyByLink)
	if final || len(errs) > 0 {
		return nil, errs
	}
	m := &message{locale: locale, verifyByLink: f.VerifyByLink, hasEmail: f.Email != nil, hasSMS: f.SMS != nil, funcs: true, r: funcsRenderer(f)}
	if errs := checkSamples(k, m); len(errs) > 0 {
		return nil, errs
	}
	if f.Email != nil {
		if err := checkEscaped(k, m); err != nil {
			return nil, []error{err}
		}
	}
	return m, nil
}

// unescaped marks every value of the data that checkEscaped renders: an
// email that contains it shows a value as HTML.
const unescaped = "<cognitrig-unescaped>"

// checkEscaped renders the email of m with the marker in every value and
// reports it if the marker comes out as markup.
func checkEscaped(k Kind, m *message) error {
	attrs := map[string]string{}
	for _, a := range []string{"email", "phone_number", "name", "given_name", "family_name", "middle_name",
		"nickname", "preferred_username", "address", "website", "profile", "picture", "zoneinfo"} {
		attrs[a] = unescaped
	}
	d := Data{Code: unescaped, Username: unescaped, Link: unescaped, Attributes: attrs, Locale: m.locale}
	if k == AccountTakeOverNotification {
		d.AccountTakeOver = AccountTakeOver{
			Action: ActionBlock, EventID: unescaped, UserName: unescaped, IPAddress: unescaped, LoginTime: unescaped,
			City: unescaped, Country: unescaped, DeviceName: unescaped,
			ValidLink: sampleValidLink + unescaped, InvalidLink: sampleInvalidLink + unescaped,
		}
	}
	r, err := m.render(k, d)
	if err != nil {
		return &TemplateError{Locale: m.locale, Kind: k, Field: "email", Problem: "does not execute with sample data", Err: err}
	}
	if strings.Contains(r.Email, unescaped) {
		return &TemplateError{Locale: m.locale, Kind: k, Field: "email",
			Problem: "shows a value without escaping it for HTML, so a user could put markup or links into the email; wrap every value in html.EscapeString"}
	}
	return nil
}

type funcsRenderer Funcs

func (f funcsRenderer) render(m *Rendered, d Data) (err error) {
	part := ""
	defer func() {
		// The panic's value may quote the code: it is not reported.
		if recover() != nil {
			err = fmt.Errorf("the %s function panicked", part)
		}
	}()
	if f.Subject != nil {
		part = "Subject"
		m.Subject = strings.TrimSpace(f.Subject(d))
	}
	if f.Email != nil {
		part = "Email"
		m.Email = f.Email(d)
	}
	if f.SMS != nil {
		part = "SMS"
		m.SMS = f.SMS(d)
	}
	return nil
}
