package messages

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	htmltemplate "html/template"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/cognitrig/cognitrig/internal/must"
	"github.com/cognitrig/cognitrig/triggers"
)

// Kind is the kind of message Cognito asks for: the part of a CustomMessage_*,
// CustomEmailSender_* or CustomSMSSender_* trigger source after the
// underscore.
type Kind string

// Message kinds.
const (
	SignUp              Kind = "SignUp"              // sign-up confirmation code (or link)
	AdminCreateUser     Kind = "AdminCreateUser"     // invitation with user name and temporary password
	ResendCode          Kind = "ResendCode"          // sign-up confirmation code, sent again
	ForgotPassword      Kind = "ForgotPassword"      // password-reset code
	UpdateUserAttribute Kind = "UpdateUserAttribute" // code to verify a changed email or phone number
	VerifyUserAttribute Kind = "VerifyUserAttribute" // code to verify an email or phone number
	Authentication      Kind = "Authentication"      // sign-in (MFA or one-time password) code
	// AccountTakeOverNotification is sent by the custom senders only, when
	// threat protection detects a risky sign-in. It carries no code.
	AccountTakeOverNotification Kind = "AccountTakeOverNotification"
)

// Kinds lists every Kind.
func Kinds() []Kind {
	return []Kind{SignUp, AdminCreateUser, ResendCode, ForgotPassword, UpdateUserAttribute,
		VerifyUserAttribute, Authentication, AccountTakeOverNotification}
}

// KindOf returns the Kind of a custom message or custom sender trigger source.
func KindOf(source triggers.TriggerSource) (Kind, bool) {
	s := string(source)
	for _, prefix := range []string{"CustomMessage_", "CustomEmailSender_", "CustomSMSSender_"} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			for _, k := range Kinds() {
				if string(k) == rest {
					return k, true
				}
			}
		}
	}
	return "", false
}

// The placeholders that Cognito replaces in a custom message: the code (or
// temporary password), the user name, and the verification link. Templates
// are checked with these values when a Catalog is built.
const (
	CodePlaceholder     = "{####}"
	UsernamePlaceholder = "{username}"
	LinkPlaceholder     = "{##Verify Email##}"
)

// Template is the text of one message in one locale. Subject and SMS are
// text/template templates; Email is an html/template template, so values
// are escaped for HTML. An empty field leaves that message to Cognito's
// default (CustomMessage) or unsent (custom senders).
//
// Templates see a Data value: {{.Code}}, {{.Username}}, {{.Link}},
// {{.Attributes.given_name}}, {{.Locale}}, and for AccountTakeOverNotification
// {{.AccountTakeOver.Action}}, {{.AccountTakeOver.ValidLink}},
// {{.AccountTakeOver.InvalidLink}}, {{.AccountTakeOver.IPAddress}} and the
// other fields of AccountTakeOver. Put {{.Code}} in text, not in a
// URL attribute: in a URL html/template escapes the braces of Cognito's
// placeholder and Cognito would no longer find it.
//
// For a function that must start fast, write the messages as Funcs instead.
type Template struct {
	Subject string
	Email   string
	SMS     string
	// VerifyByLink says the email carries the verification link
	// ({{.Link}}) instead of the code, for pools whose email verification
	// type is LINK. It is allowed for SignUp and ResendCode only.
	VerifyByLink bool
}

// Data is what a template sees.
type Data struct {
	// Code is the code or temporary password. In a custom message it is
	// Cognito's placeholder, which Cognito replaces after the trigger; in a
	// custom sender it is the plain code.
	Code string
	// Username is the user's name: Cognito's placeholder in a custom
	// message, the user name itself in a custom sender.
	Username string
	// Link is the verification link: Cognito's placeholder in a custom
	// message, and what Senders.Link returns in a custom sender.
	Link string
	// Attributes are the user's attributes. In an account-takeover
	// notification they are the event's attributes (EVENT_ID, IP_ADDRESS,
	// ...), not the user's profile: read AccountTakeOver instead.
	Attributes map[string]string
	// Locale is the locale whose template was chosen.
	Locale string
	// AccountTakeOver describes the risky sign-in of an
	// AccountTakeOverNotification; it is zero for other kinds.
	AccountTakeOver AccountTakeOver
}

// Values of AccountTakeOver.Action: the threat-protection action for the
// sign-in's risk level (the API reference, AccountTakeoverActionType).
const (
	ActionBlock           = "BLOCK"
	ActionMFAIfConfigured = "MFA_IF_CONFIGURED"
	ActionMFARequired     = "MFA_REQUIRED"
	ActionNoAction        = "NO_ACTION"
)

// AccountTakeOver is what a CustomEmailSender_AccountTakeOverNotification
// event tells about a risky sign-in. Cognito sends it in the event's
// userAttributes, with a null code and null clientMetadata (payloads
// captured and published in DefinitelyTyped/DefinitelyTyped#52111). The
// links and the feedback token let whoever holds them tell Cognito whether
// the sign-in was the user's, so they are never logged: String and
// LogValue leave them out.
type AccountTakeOver struct {
	Action     string // ACCOUNT_TAKE_OVER_ACTION: ActionBlock, ActionMFAIfConfigured, ActionMFARequired, ActionNoAction (or "MFA")
	EventID    string // EVENT_ID
	UserName   string // USER_NAME
	IPAddress  string // IP_ADDRESS
	LoginTime  string // LOGIN_TIME, as Cognito formats it ("Friday, March 19, 2021 02:25 PM UTC")
	City       string // CITY; may be empty
	Country    string // COUNTRY; may be empty
	DeviceName string // DEVICE_NAME; may be empty
	// ValidLink (ONE_CLICK_LINK_VALID) marks the sign-in as the user's;
	// InvalidLink (ONE_CLICK_LINK_INVALID) marks it as not theirs.
	ValidLink   string
	InvalidLink string
	// FeedbackToken (FEEDBACK_TOKEN) is for UpdateAuthEventFeedback, for an
	// app that builds its own feedback page.
	FeedbackToken triggers.Secret
}

// AccountTakeOverOf reads the account-takeover fields of an event's
// userAttributes.
func AccountTakeOverOf(attrs map[string]string) AccountTakeOver {
	return AccountTakeOver{
		Action: attrs["ACCOUNT_TAKE_OVER_ACTION"], EventID: attrs["EVENT_ID"], UserName: attrs["USER_NAME"],
		IPAddress: attrs["IP_ADDRESS"], LoginTime: attrs["LOGIN_TIME"], City: attrs["CITY"],
		Country: attrs["COUNTRY"], DeviceName: attrs["DEVICE_NAME"],
		ValidLink: attrs["ONE_CLICK_LINK_VALID"], InvalidLink: attrs["ONE_CLICK_LINK_INVALID"],
		FeedbackToken: triggers.Secret(attrs["FEEDBACK_TOKEN"]),
	}
}

// String describes the sign-in without its links or feedback token.
func (a AccountTakeOver) String() string {
	return fmt.Sprintf("messages.AccountTakeOver{Action:%s EventID:%s IPAddress:%s Links:%t}", a.Action, a.EventID, a.IPAddress, a.ValidLink != "" || a.InvalidLink != "")
}

// GoString is String.
func (a AccountTakeOver) GoString() string { return a.String() }

// Format prints String for every verb, so that no verb shows the links.
func (a AccountTakeOver) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// LogValue implements slog.LogValuer without the links or feedback token.
func (a AccountTakeOver) LogValue() slog.Value {
	return slog.GroupValue(slog.String("action", a.Action), slog.String("eventId", a.EventID),
		slog.Bool("links", a.ValidLink != "" || a.InvalidLink != ""))
}

// takeoverActions are the actions the checks of kind k try: each of
// AccountTakeOver.Action's for an account-takeover warning, none for the
// other kinds.
func takeoverActions(k Kind) []string {
	if k != AccountTakeOverNotification {
		return []string{""}
	}
	return []string{ActionBlock, ActionMFAIfConfigured, ActionMFARequired, ActionNoAction}
}

// sampleData is the data of the checks' renders: for an action, a sample
// risky sign-in, as a CustomEmailSender_AccountTakeOverNotification event
// describes it in AccountTakeOver and in the attribute
// ACCOUNT_TAKE_OVER_ACTION.
func sampleData(locale, action string) Data {
	d := Data{Locale: locale, Attributes: map[string]string{}}
	if action != "" {
		d.Attributes["ACCOUNT_TAKE_OVER_ACTION"] = action
		d.AccountTakeOver = AccountTakeOver{
			Action: action, EventID: "sample-event", UserName: "sample-user", IPAddress: "192.0.2.1",
			LoginTime: "Friday, March 19, 2021 02:25 PM UTC", City: "Sample City", Country: "Sample Country",
			DeviceName: "Sample Browser", ValidLink: sampleValidLink, InvalidLink: sampleInvalidLink,
		}
	}
	return d
}

// Sample links of the check of account-takeover templates.
const (
	sampleValidLink   = "https://feedback.example/valid-sample"
	sampleInvalidLink = "https://feedback.example/invalid-sample"
)

// Config describes a Catalog.
type Config struct {
	// Templates maps a locale ("en", "fr", "pt-BR") to its templates by Kind.
	Templates map[string]map[Kind]Template
	// DefaultLocale is used when the user's locale, and its language, have no
	// template for the kind. It must be a key of Templates.
	DefaultLocale string
	// LocaleAttribute names the user attribute that holds the locale. The
	// default is "locale", Cognito's standard attribute.
	LocaleAttribute string
}

// Catalog holds checked messages: templates (New) or messages written in
// Go (NewFuncs). Build it once, at start-up: both constructors refuse any
// message that would be sent without the placeholders Cognito needs. A
// Catalog is safe for concurrent use.
type Catalog struct {
	byLocale        map[string]map[Kind]*message
	defaultLocale   string
	localeAttribute string
}

// message is one checked message of a Catalog.
type message struct {
	locale       string
	verifyByLink bool
	hasEmail     bool
	hasSMS       bool
	r            renderer
}

// funcs reports whether msg was written as Funcs: its errors name Data
// fields, not template actions.
func (msg *message) funcs() bool {
	_, ok := msg.r.(funcsRenderer)
	return ok
}

// renderer fills the subject and bodies of m. The two implementations,
// parsed templates and Funcs, are made only by New and NewFuncs
// respectively, so a program that never calls New does not link template
// execution (which would keep every exported method of every linked type).
type renderer interface {
	render(m *Rendered, d Data) error
}

type parsed struct {
	subject *texttemplate.Template
	email   *htmltemplate.Template
	sms     *texttemplate.Template
}

// TemplateError reports a template (New) or a message written as Funcs
// (NewFuncs) that cannot be used, and why.
type TemplateError struct {
	Locale  string
	Kind    Kind
	Field   string // "subject", "email" or "sms"; empty for the template as a whole
	Problem string
	Err     error // a parse or execution error, if any

	funcs bool // from NewFuncs: the error speaks of a message, not a template
}

func (e *TemplateError) Error() string {
	where := e.Locale + "/" + string(e.Kind)
	if e.Field != "" {
		where += " " + e.Field
	}
	what := "template "
	if e.funcs {
		what = "message "
	}
	msg := "messages: " + what + where + ": " + e.Problem
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *TemplateError) Unwrap() error { return e.Err }

// New parses and checks every template of cfg and returns the Catalog, or an
// error that lists every problem (each a *TemplateError).
func New(cfg Config) (*Catalog, error) {
	return build(cfg.Templates, "Templates", cfg.DefaultLocale, cfg.LocaleAttribute, parseTemplate)
}

// MustNew is New for templates fixed in the program: it panics on error.
func MustNew(cfg Config) *Catalog { return must.Value(New(cfg)) }

// build checks the locales of sets (the config field named field) and
// makes each message with prepare, collecting every problem.
func build[M any](sets map[string]map[Kind]M, field, defaultLocale, localeAttribute string, prepare func(locale string, k Kind, m M) (*message, []error)) (*Catalog, error) {
	c := &Catalog{
		byLocale:        make(map[string]map[Kind]*message, len(sets)),
		defaultLocale:   normalizeLocale(defaultLocale),
		localeAttribute: localeAttribute,
	}
	if c.localeAttribute == "" {
		c.localeAttribute = "locale"
	}
	var errs []error
	if c.defaultLocale == "" {
		errs = append(errs, errors.New("messages: DefaultLocale is empty; name the locale to fall back to"))
	}
	locales := make([]string, 0, len(sets))
	for l := range sets {
		locales = append(locales, l)
	}
	sort.Strings(locales)
	for _, rawLocale := range locales {
		locale := normalizeLocale(rawLocale)
		if locale == "" {
			errs = append(errs, fmt.Errorf("messages: locale %q is not a locale tag such as en or pt-BR", rawLocale))
			continue
		}
		if _, dup := c.byLocale[locale]; dup {
			errs = append(errs, fmt.Errorf("messages: locale %q is given twice (locales are compared without regard to case and _ or -)", rawLocale))
			continue
		}
		set := map[Kind]*message{}
		kinds := make([]Kind, 0, len(sets[rawLocale]))
		for k := range sets[rawLocale] {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
		for _, k := range kinds {
			m, mErrs := prepare(locale, k, sets[rawLocale][k])
			errs = append(errs, mErrs...)
			if len(mErrs) == 0 {
				set[k] = m
			}
		}
		c.byLocale[locale] = set
	}
	if c.defaultLocale != "" {
		if _, ok := c.byLocale[c.defaultLocale]; !ok {
			errs = append(errs, fmt.Errorf("messages: DefaultLocale %q has no %s; add it to %s", defaultLocale, strings.ToLower(field), field))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// checkShape reports what is wrong with the parts a message has, before
// anything is parsed or run; final says the other checks would be
// pointless (an unknown kind, or nothing to send).
func checkShape(locale string, k Kind, funcs, subject, email, sms, verifyByLink bool) (errs []error, final bool) {
	fail := func(field, problem string) error {
		return &TemplateError{Locale: locale, Kind: k, Field: field, Problem: problem, funcs: funcs}
	}
	if !validKind(k) {
		return []error{fail("", "unknown kind; use one of messages.Kinds()")}, true
	}
	if !subject && !email && !sms {
		return []error{fail("", "is empty; give an Email (with Subject) or an SMS text")}, true
	}
	if email && !subject {
		errs = append(errs, fail("subject", "is empty but Email is set; Cognito needs a subject with an email message"))
	}
	if subject && !email {
		errs = append(errs, fail("subject", "is set without Email"))
	}
	if verifyByLink && k != SignUp && k != ResendCode {
		errs = append(errs, fail("", "VerifyByLink is set, but Cognito sends a verification link only for SignUp and ResendCode"))
	}
	return errs, false
}

func parseTemplate(locale string, k Kind, t Template) (*message, []error) {
	errs, final := checkShape(locale, k, false, t.Subject != "", t.Email != "", t.SMS != "", t.VerifyByLink)
	if final {
		return nil, errs
	}
	fail := func(field, problem string, err error) error {
		return &TemplateError{Locale: locale, Kind: k, Field: field, Problem: problem, Err: err}
	}
	p := &parsed{}
	var err error
	name := locale + "/" + string(k)
	if t.Subject != "" {
		if p.subject, err = texttemplate.New(name + "/subject").Option("missingkey=zero").Parse(t.Subject); err != nil {
			errs = append(errs, fail("subject", "does not parse", err))
		}
	}
	if t.Email != "" {
		if p.email, err = htmltemplate.New(name + "/email").Option("missingkey=zero").Parse(t.Email); err != nil {
			errs = append(errs, fail("email", "does not parse", err))
		}
	}
	if t.SMS != "" {
		if p.sms, err = texttemplate.New(name + "/sms").Option("missingkey=zero").Parse(t.SMS); err != nil {
			errs = append(errs, fail("sms", "does not parse", err))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	m := &message{locale: locale, verifyByLink: t.VerifyByLink, hasEmail: t.Email != "", hasSMS: t.SMS != "", r: p}
	if errs := checkSamples(k, m, nil); len(errs) > 0 {
		return nil, errs
	}
	return m, nil
}

// checkSamples renders m with Cognito's placeholders, once without
// attributes and once with, so that a placeholder inside a condition on an
// attribute is caught on the branch that drops it, and reports each
// rendered body that lacks a placeholder Cognito needs. With a prober
// (NewFuncs checking an Email), the sample values are hostile and pr
// inspects each email.
func checkSamples(k Kind, m *message, pr *prober) []error {
	if k == AccountTakeOverNotification {
		return checkAccountTakeOver(m, pr)
	}
	samples := []map[string]string{{}, {
		"email": "user@example.com", "phone_number": "+15555550100", "name": "Sample User",
		"given_name": "Sample", "family_name": "User", "locale": m.locale,
	}}
	if pr != nil {
		samples[1] = pr.attributes(samples[1])
	}
	for i, attrs := range samples {
		d := Data{Code: CodePlaceholder, Username: UsernamePlaceholder, Link: LinkPlaceholder, Attributes: attrs, Locale: m.locale}
		if pr != nil && i == 1 {
			// A user chooses the name: make it hostile around the
			// placeholder, which must still come out.
			d.Username = "javascript:cg" + strconv.Itoa(usernameProbe) + "x" + UsernamePlaceholder + marker(usernameProbe)
		}
		r, err := m.render(k, d)
		if err != nil {
			return []error{m.fail(k, "", "does not execute with sample data", err)}
		}
		if pr != nil {
			pr.inspect(r.Email)
		}
		if errs := checkPlaceholders(k, m, r); len(errs) > 0 {
			return errs
		}
	}
	return nil
}

// checkAccountTakeOver renders an account-takeover template for each
// action and refuses it unless every message it sends carries both
// feedback links and says which action was taken (the text for BLOCK
// differs from the text for NO_ACTION): a warning without them leaves the
// user nothing to act on.
func checkAccountTakeOver(msg *message, pr *prober) []error {
	var errs []error
	fail := func(field, problem string, err error) {
		errs = append(errs, msg.fail(AccountTakeOverNotification, field, problem, err))
	}
	byAction := map[string]Rendered{}
	for _, action := range takeoverActions(AccountTakeOverNotification) {
		d := sampleData(msg.locale, action)
		d.Username = "sample-user"
		if pr != nil {
			pr.accountTakeOver(&d)
		}
		m, err := msg.render(AccountTakeOverNotification, d)
		if err != nil {
			fail("", "does not execute with sample data", err)
			return errs
		}
		if pr != nil {
			pr.inspect(m.Email)
		}
		byAction[action] = m
	}
	for field, body := range map[string]func(Rendered) string{"email": func(m Rendered) string { return m.Email }, "sms": func(m Rendered) string { return m.SMS }} {
		m := byAction[ActionBlock]
		if body(m) == "" {
			continue
		}
		for _, link := range []struct{ what, field, sample string }{
			{"link for \"this was me\"", "ValidLink", sampleValidLink},
			{"link for \"this was not me\"", "InvalidLink", sampleInvalidLink},
		} {
			// The samples need no escaping, so look for them as they are
			// first: html.UnescapeString builds its table of 2,000
			// entities on first use, a millisecond of a cold start.
			if !strings.Contains(body(m), link.sample) && !strings.Contains(html.UnescapeString(body(m)), link.sample) {
				fail(field, fmt.Sprintf("does not contain the %s (%s); the user could not tell Cognito whether the sign-in was theirs", link.what, msg.name(".AccountTakeOver."+link.field)), nil)
			}
		}
		if body(byAction[ActionBlock]) == body(byAction[ActionNoAction]) {
			how := `{{.AccountTakeOver.Action}} or {{if eq .AccountTakeOver.Action "BLOCK"}}`
			if msg.funcs() {
				how = "Data.AccountTakeOver.Action"
			}
			fail(field, "reads the same whether the sign-in was blocked or allowed; say what happened, with "+how, nil)
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}

// checkPlaceholders reports each rendered body that lacks a placeholder
// Cognito needs.
func checkPlaceholders(k Kind, msg *message, m Rendered) []error {
	var errs []error
	missing := func(field, what, placeholder, dataField string) {
		hint := "Put it in text, not inside a URL or a false branch"
		if msg.funcs() {
			hint = "Put it in the text on every branch"
		}
		errs = append(errs, msg.fail(k, field, fmt.Sprintf("does not contain the %s (%s renders as %s); Cognito would send a message without it. %s",
			what, msg.name(dataField), placeholder, hint), nil))
	}
	if msg.hasEmail {
		if msg.verifyByLink {
			if !strings.Contains(m.Email, LinkPlaceholder) {
				missing("email", "verification link", LinkPlaceholder, ".Link")
			}
		} else if !strings.Contains(m.Email, CodePlaceholder) {
			missing("email", "code", CodePlaceholder, ".Code")
		}
		if k == AdminCreateUser && !strings.Contains(m.Email, UsernamePlaceholder) {
			missing("email", "user name", UsernamePlaceholder, ".Username")
		}
	}
	if msg.hasSMS {
		if !strings.Contains(m.SMS, CodePlaceholder) {
			missing("sms", "code", CodePlaceholder, ".Code")
		}
		if k == AdminCreateUser && !strings.Contains(m.SMS, UsernamePlaceholder) {
			missing("sms", "user name", UsernamePlaceholder, ".Username")
		}
	}
	return errs
}

// fail is a problem of msg, of kind k, found by rendering it. A panic of a
// Funcs is quoted here, with the sample data only (never at a real
// render, where it could hold the code).
func (msg *message) fail(k Kind, field, problem string, err error) *TemplateError {
	var p *panicError
	if errors.As(err, &p) {
		err = fmt.Errorf("%w: %v", p, p.value)
	}
	return &TemplateError{Locale: msg.locale, Kind: k, Field: field, Problem: problem, Err: err, funcs: msg.funcs()}
}

// name is how the author of msg wrote the Data field f (".Code"): a
// template action, or a field of Data.
func (msg *message) name(f string) string {
	if msg.funcs() {
		return "Data" + f
	}
	return "{{" + f + "}}"
}

func validKind(k Kind) bool {
	for _, known := range Kinds() {
		if k == known {
			return true
		}
	}
	return false
}

// Rendered is a rendered message. With a custom sender it holds the plain
// code, so it prints and logs with its bodies masked.
type Rendered struct {
	Kind    Kind
	Locale  string
	Subject string // empty when there is no email template
	Email   string // HTML body; empty when there is no email template
	SMS     string // empty when there is no SMS template
}

// String describes the message without its subject or bodies: a subject
// may carry the code too ("123456 is your code").
func (r Rendered) String() string {
	return fmt.Sprintf("messages.Rendered{Kind:%s Locale:%s Subject:%d bytes Email:%d bytes SMS:%d bytes}",
		r.Kind, r.Locale, len(r.Subject), len(r.Email), len(r.SMS))
}

// GoString is String.
func (r Rendered) GoString() string { return r.String() }

// Format prints String for every verb.
func (r Rendered) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(r.String())) }

// LogValue implements slog.LogValuer without the subject or bodies.
func (r Rendered) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", string(r.Kind)), slog.String("locale", r.Locale),
		slog.Int("subjectLen", len(r.Subject)), slog.Int("emailLen", len(r.Email)), slog.Int("smsLen", len(r.SMS)))
}

// String describes the data without the code or link, which a custom
// sender holds in plain text.
func (d Data) String() string {
	return fmt.Sprintf("messages.Data{Code:%s Username:%q Link:%s Attributes:%d Locale:%s AccountTakeOver:%v}",
		triggers.Mask, d.Username, triggers.Mask, len(d.Attributes), d.Locale, d.AccountTakeOver)
}

// GoString is String.
func (d Data) GoString() string { return d.String() }

// Format prints String for every verb.
func (d Data) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(d.String())) }

// LogValue implements slog.LogValuer without the code or link.
func (d Data) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", d.Username), slog.String("locale", d.Locale),
		slog.Int("attributes", len(d.Attributes)), slog.Any("accountTakeOver", d.AccountTakeOver))
}

func (msg *message) render(k Kind, d Data) (Rendered, error) {
	m := Rendered{Kind: k, Locale: msg.locale}
	err := msg.r.render(&m, d)
	return m, err
}

func (p *parsed) render(m *Rendered, d Data) error {
	var b bytes.Buffer
	if p.subject != nil {
		if err := p.subject.Execute(&b, d); err != nil {
			return err
		}
		m.Subject = strings.TrimSpace(b.String())
		b.Reset()
	}
	if p.email != nil {
		if err := p.email.Execute(&b, d); err != nil {
			return err
		}
		m.Email = b.String()
		b.Reset()
	}
	if p.sms != nil {
		if err := p.sms.Execute(&b, d); err != nil {
			return err
		}
		m.SMS = b.String()
	}
	return nil
}

// lookup returns the template of kind k for a user whose locale attribute is
// locale: the exact locale, then its language, then the default locale.
func (c *Catalog) lookup(k Kind, locale string) (*message, bool) {
	for _, l := range candidates(locale) {
		if p, ok := c.byLocale[l][k]; ok {
			return p, true
		}
	}
	p, ok := c.byLocale[c.defaultLocale][k]
	return p, ok
}

// Locale returns the locale whose template of kind k a user with attrs
// gets, and whether there is one.
func (c *Catalog) Locale(k Kind, attrs map[string]string) (string, bool) {
	p, ok := c.lookup(k, attrs[c.localeAttribute])
	if !ok {
		return "", false
	}
	return p.locale, true
}

// Render renders the template of kind k for a user with the given
// attributes, choosing the locale from the locale attribute with fallback.
// It returns ErrNoTemplate (wrapped) when no locale has a template of kind k.
func (c *Catalog) Render(k Kind, d Data) (Rendered, error) {
	p, ok := c.lookup(k, d.Attributes[c.localeAttribute])
	if !ok {
		return Rendered{}, fmt.Errorf("messages: %w for kind %s (default locale %s)", ErrNoTemplate, k, c.defaultLocale)
	}
	d.Locale = p.locale
	m, err := p.render(k, d)
	if err != nil {
		// An execution error names the template and the failing action,
		// never a value.
		return Rendered{}, fmt.Errorf("messages: render %s/%s: %w", p.locale, k, err)
	}
	return m, nil
}

// VerifiesByLink reports whether the template of kind k for a user with
// attrs sends the verification link instead of the code by email.
func (c *Catalog) VerifiesByLink(k Kind, attrs map[string]string) bool {
	p, ok := c.lookup(k, attrs[c.localeAttribute])
	return ok && p.verifyByLink
}

// hasEmail reports whether some locale has an email template of kind k.
func (c *Catalog) hasEmail(k Kind) bool {
	for _, set := range c.byLocale {
		if p, ok := set[k]; ok && p.hasEmail {
			return true
		}
	}
	return false
}

func (c *Catalog) anyVerifyByLink() bool {
	for _, set := range c.byLocale {
		for _, p := range set {
			if p.verifyByLink {
				return true
			}
		}
	}
	return false
}

// ErrNoTemplate is returned when no locale has a template of the kind asked
// for.
var ErrNoTemplate = errors.New("no template")

// normalizeLocale lower-cases a locale tag and uses "-" as separator:
// "pt_BR" and "PT-br" both become "pt-br". It returns "" for a value that is
// not a plausible tag.
func normalizeLocale(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, "_", "-")))
	if s == "" || len(s) > 35 {
		return ""
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return ""
		}
	}
	if strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
		return ""
	}
	return s
}

// candidates lists the locales to try for a locale attribute, most
// specific first: "pt-BR" gives pt-br, pt.
func candidates(attr string) []string {
	l := normalizeLocale(attr)
	if l == "" {
		return nil
	}
	out := []string{l}
	for {
		i := strings.LastIndexByte(l, '-')
		if i < 0 {
			return out
		}
		l = l[:i]
		out = append(out, l)
	}
}
