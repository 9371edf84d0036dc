package messages

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cognitrig/cognitrig/internal/must"
)

// Funcs is the text of one message in one locale written as Go functions
// instead of templates. It is for a function that must start fast and stay
// small: a program that builds its Catalog with NewFuncs and never calls
// New does not execute templates, so it parses nothing at start-up and the
// linker may drop the exported methods that no code calls (a program that
// executes a template keeps them all, since the linker cannot tell which
// ones a template calls). cognitrig's deployed messages function is built
// this way.
//
// The fields mirror Template's and follow the same rules: a nil function
// leaves that part out; an email needs a subject; VerifyByLink is for
// SignUp and ResendCode only. Subject and SMS are plain text. Email returns
// HTML, so every value it shows must be escaped with html.EscapeString (a
// user chooses their name and attributes, and in a custom message the user
// name is the one they signed up with). A value that starts an attribute
// such as href must also be a URL of a scheme you expect: escaping does
// not stop "javascript:". NewFuncs refuses an Email that breaks either
// rule with its sample data; CheckFuncs, for a test, tries harder.
//
// The functions see the same Data as a template. In a custom message
// d.Code, d.Username and d.Link are Cognito's placeholders: show d.Code
// (escaped in Email; html.EscapeString leaves "{####}" as it is) rather
// than writing "{####}" yourself, so that the same message serves the
// custom senders, where d.Code is the code. The functions must not keep d
// or change d.Attributes (the event's own map), and should not panic: a
// panic is an error, quoted only when NewFuncs finds it with sample data.
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
	// SampleAttributes names the attributes beyond the standard ones that
	// the messages show ("custom:tenant"). NewFuncs's checks of an Email's
	// escaping try the user name, the standard attributes
	// (StandardAttributes, but phone_number, which Cognito takes in E.164
	// only), these, and in an account-takeover warning AccountTakeOver's
	// UserName, City, Country and DeviceName and the event's USER_NAME,
	// CITY, COUNTRY and DEVICE_NAME; CheckFuncs also the code, the link
	// and the feedback links. The event ID, IP address and time are
	// Cognito's and keep sample values.
	SampleAttributes []string
}

// StandardAttributes are the standard user attributes of a user pool that
// a user may set, the ones NewFuncs fills with sample values (Amazon
// Cognito Developer Guide, "Working with user attributes": the OpenID
// Connect standard claims).
func StandardAttributes() []string {
	return []string{"address", "birthdate", "email", "family_name", "gender", "given_name", "locale", "middle_name",
		"name", "nickname", "phone_number", "picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo"}
}

// NewFuncs checks every message of cfg as New checks templates, by calling
// each function with sample data, and returns the Catalog, or an error that
// lists every problem (each a *TemplateError). The sample data carries
// markup and javascript: URLs in the attributes and the user name (after
// Cognito's placeholder) and, for an account-takeover warning, in the
// values listed at SampleAttributes; NewFuncs also refuses an Email that
// shows one of them as markup or starts a link (href, src, ...) with one.
// That costs no render beyond the placeholder checks, so it stays cheap
// at a cold start (about 95 µs for cognitrig's eight messages;
// BENCHMARKS.md). CheckFuncs tries many more combinations; call it from a
// test.
func NewFuncs(cfg FuncsConfig) (*Catalog, error) {
	return newFuncs(cfg, false)
}

// CheckFuncs runs the checks of NewFuncs. It also renders each message as
// a custom sender calls it (the code "123456" instead of Cognito's
// placeholder) and reports a function that fails there, and renders each
// Email with the code and user name themselves hostile, with and without
// the attributes, with half of the attributes at a time, with each
// attribute alone, and with each other value alone, the rest empty, to
// reach the branches for missing values (a country shown unescaped only
// when the city is empty), for each account-takeover action. Its answer does not change between
// runs of the same program and it takes several times as long as NewFuncs:
// call it from a test of your messages, not at start-up.
//
//	func TestMessages(t *testing.T) {
//		if err := messages.CheckFuncs(myMessages()); err != nil {
//			t.Fatal(err)
//		}
//	}
func CheckFuncs(cfg FuncsConfig) error {
	_, err := newFuncs(cfg, true)
	return err
}

func newFuncs(cfg FuncsConfig, thorough bool) (*Catalog, error) {
	// The values to probe are the same for every kind but one: make each
	// list once.
	var lists [2]*probes
	return build(cfg.Messages, "Messages", cfg.DefaultLocale, cfg.LocaleAttribute, func(locale string, k Kind, f Funcs) (*message, []error) {
		var pr *prober
		if f.Email != nil || thorough {
			ato := 0
			if k == AccountTakeOverNotification {
				ato = 1
			}
			if lists[ato] == nil {
				lists[ato] = newProbes(k, cfg.SampleAttributes)
			}
			pr = &prober{probes: lists[ato], unescaped: map[int]bool{}, unchecked: map[int]bool{}}
		}
		return prepareFuncs(locale, k, f, pr, thorough)
	})
}

// MustNewFuncs is NewFuncs for messages fixed in the program: it panics on
// error.
func MustNewFuncs(cfg FuncsConfig) *Catalog { return must.Value(NewFuncs(cfg)) }

func prepareFuncs(locale string, k Kind, f Funcs, pr *prober, thorough bool) (*message, []error) {
	errs, final := checkShape(locale, k, true, f.Subject != nil, f.Email != nil, f.SMS != nil, f.VerifyByLink)
	if final || len(errs) > 0 {
		return nil, errs
	}
	m := &message{locale: locale, verifyByLink: f.VerifyByLink, hasEmail: f.Email != nil, hasSMS: f.SMS != nil, r: funcsRenderer(f)}
	var probe *prober // the sample renders probe the Email's escaping
	if f.Email != nil {
		probe = pr
	}
	if errs := checkSamples(k, m, probe); len(errs) > 0 {
		return nil, errs
	}
	if thorough {
		if errs := pr.checkAsSender(k, m); len(errs) > 0 {
			return nil, errs
		}
		if f.Email != nil {
			pr.tryThoroughly(k, &message{locale: locale, r: funcsRenderer{Email: f.Email}})
		}
	}
	if f.Email != nil {
		if errs := pr.errors(k, m); len(errs) > 0 {
			return nil, errs
		}
	}
	return m, nil
}

// probe is one value that a prober marks: field is how the author reads
// it, user says a user chooses it and could make it a link (so it must
// not start a URL attribute), sample is a realistic value, and set puts a
// value there.
type probe struct {
	field  string // "Data.Code"; empty for an attribute
	attr   string // the attribute's name, for an attribute
	user   bool
	sample string
	set    func(d *Data, v string) // nil for an attribute
}

func (p probe) name() string {
	if p.attr != "" {
		return "Data.Attributes[" + strconv.Quote(p.attr) + "]"
	}
	return p.field
}

func (p probe) put(d *Data, v string) {
	if p.attr != "" {
		d.Attributes[p.attr] = v
		return
	}
	p.set(d, v)
}

// A prober checks that an Email escapes what it shows. It gives each value
// it knows of a hostile form: a marker (<cgNx"cgNy'>, N the value's
// number) inside a realistic value ("user<marker>@example.com"), and for a
// value a user chooses, "javascript:cgNx" before it. The sample checks
// render with these (checkSamples, checkAccountTakeOver), then inspect
// finds each value whose marker comes out with its < or a quote unescaped,
// in any letter case, and each value a user chooses that starts a URL
// attribute (href="javascript:..."). It tries likely mistakes; it proves
// nothing.
type prober struct {
	*probes
	unescaped map[int]bool
	unchecked map[int]bool
}

// probes are the values a prober marks, and their hostile forms.
type probes struct {
	ps      []probe
	hostile []string
	attrs   int // how many of ps are attributes
}

// newProbes lists the values of kind k: Data's, the standard attributes
// and extra, and for an account-takeover warning the fields of
// AccountTakeOver and the event's attributes that a user's request can
// influence. The event ID and the time, which Cognito writes, and the IP
// address, the sign-in's source as Cognito or the app's server-side
// ContextData gives it, keep their samples, so that a function may parse
// them ("Custom email sender Lambda trigger", account takeover
// notifications); the feedback links come from Cognito and are checked for
// escaping only.
func newProbes(k Kind, extra []string) *probes {
	ps := []probe{
		{field: "Data.Code", sample: "123456", set: func(d *Data, v string) { d.Code = v }},
		{field: "Data.Username", user: true, sample: "sample-user", set: func(d *Data, v string) { d.Username = v }},
		{field: "Data.Link", sample: "https://example.com/verify", set: func(d *Data, v string) { d.Link = v }},
	}
	attrs := append(StandardAttributes(), extra...)
	if k == AccountTakeOverNotification {
		a := func(name string, user bool, sample string, set func(a *AccountTakeOver, v string)) probe {
			return probe{field: "Data.AccountTakeOver." + name, user: user, sample: sample, set: func(d *Data, v string) { set(&d.AccountTakeOver, v) }}
		}
		ps = append(ps,
			a("UserName", true, "sample-user", func(a *AccountTakeOver, v string) { a.UserName = v }),
			a("City", true, "Sample City", func(a *AccountTakeOver, v string) { a.City = v }),
			a("Country", true, "Sample Country", func(a *AccountTakeOver, v string) { a.Country = v }),
			a("DeviceName", true, "Sample Browser", func(a *AccountTakeOver, v string) { a.DeviceName = v }),
			a("ValidLink", false, sampleValidLink, func(a *AccountTakeOver, v string) { a.ValidLink = v }),
			a("InvalidLink", false, sampleInvalidLink, func(a *AccountTakeOver, v string) { a.InvalidLink = v }),
		)
		attrs = append(attrs, "USER_NAME", "CITY", "COUNTRY", "DEVICE_NAME")
	}
	for _, name := range attrs {
		p := probe{attr: name, user: true, sample: "Sample"}
		switch name {
		case "phone_number":
			// Cognito takes E.164 numbers only ("+12065551212"; Amazon
			// Cognito Developer Guide, "Working with user attributes"): no
			// markup.
			continue
		case "email":
			p.sample, p.user = "user@example.com", false // an address, not a URL
		case "birthdate", "gender", "locale", "updated_at", "zoneinfo":
			p.user = false // not a link that anyone would make
		}
		ps = append(ps, p)
	}
	pr := &probes{ps: ps, hostile: make([]string, len(ps)), attrs: len(attrs)}
	for i, p := range ps {
		n := strconv.Itoa(i)
		marker := marker(i)
		v := p.sample + marker
		if at := strings.IndexByte(p.sample, '@'); at > 0 {
			v = p.sample[:at] + marker + p.sample[at:]
		}
		if p.user {
			v = "javascript:cg" + n + "x" + v
		}
		pr.hostile[i] = v
	}
	return pr
}

// usernameProbe is the number of Data.Username's probe.
const usernameProbe = 1

// marker is the marker of probe i: markup and both quotes.
func marker(i int) string {
	n := strconv.Itoa(i)
	return "<cg" + n + "x\"cg" + n + "y'>"
}

// attributes returns attrs and the hostile form of every attribute.
func (pr *prober) attributes(attrs map[string]string) map[string]string {
	out := make(map[string]string, len(attrs)+pr.attrs)
	maps.Copy(out, attrs)
	for i, p := range pr.ps {
		if p.attr != "" {
			out[p.attr] = pr.hostile[i]
		}
	}
	return out
}

// accountTakeOver puts the hostile form of every value into d, but the
// feedback links, which the account-takeover check looks for.
func (pr *prober) accountTakeOver(d *Data) {
	d.Attributes = pr.attributes(d.Attributes)
	for i, p := range pr.ps {
		if p.attr == "" && !strings.HasSuffix(p.field, "Link") {
			p.put(d, pr.hostile[i])
		}
	}
}

// try renders the email of m with the hostile form of each value for
// which use holds, and empty values (no attributes) for the rest, and
// inspects it. A render that fails is not a finding: the sample checks
// report those.
func (pr *prober) try(k Kind, m *message, action string, use func(i int, p probe) bool) {
	d := sampleData(m.locale, action)
	for i, p := range pr.ps {
		if use(i, p) {
			p.put(&d, pr.hostile[i])
		} else if p.attr == "" {
			p.put(&d, "")
		}
	}
	if r, err := m.render(k, d); err == nil {
		pr.inspect(r.Email)
	}
}

// tryThoroughly renders, for each account-takeover action (or once):
// every value hostile as a custom sender renders it (the code and user
// name too, which the sample checks leave as Cognito's placeholders), with
// and without the attributes; half of the attributes at a time; and each
// other value alone with the rest empty. These take the branches for
// missing values (a country shown unescaped only when the city is empty).
func (pr *prober) tryThoroughly(k Kind, m *message) {
	actions := takeoverActions(k)
	for _, action := range actions {
		pr.try(k, m, action, func(int, probe) bool { return true })
		for half := range 2 {
			pr.try(k, m, action, func(i int, p probe) bool { return p.attr == "" || i%2 == half })
		}
		pr.try(k, m, action, func(_ int, p probe) bool { return p.attr == "" })
		for j, pj := range pr.ps {
			if pj.attr == "" {
				// Each other value alone.
				pr.try(k, m, action, func(i int, _ probe) bool { return i == j })
			} else {
				// Each attribute alone, with the other values.
				pr.try(k, m, action, func(i int, p probe) bool { return p.attr == "" || i == j })
			}
		}
	}
}

// checkAsSender renders every part of m as a custom sender calls it, with
// plain sample values instead of Cognito's placeholders (the code
// "123456", the user's name), for each account-takeover action, and
// reports a render that fails.
func (pr *prober) checkAsSender(k Kind, m *message) []error {
	for _, action := range takeoverActions(k) {
		d := sampleData(m.locale, action)
		for _, p := range pr.ps {
			p.put(&d, p.sample)
		}
		if _, err := m.render(k, d); err != nil {
			return []error{m.fail(k, "", "does not execute as a custom sender calls it (the code 123456, sample attributes)", err)}
		}
	}
	return nil
}

// inspect records the values whose markers come out of email unescaped,
// and the values a user chooses that start a URL attribute. It compares
// ASCII letters by hand, so that it need not copy the email in lower case.
func (pr *prober) inspect(email string) {
	is := func(b, lower byte) bool { return b|0x20 == lower }
	for at := 0; at+2 < len(email); at++ {
		if !is(email[at], 'c') || !is(email[at+1], 'g') {
			continue
		}
		end := at + 2
		for end < len(email) && email[end] >= '0' && email[end] <= '9' {
			end++
		}
		i, err := strconv.Atoi(email[at+2 : end])
		if err != nil || i >= len(pr.ps) || end+1 >= len(email) {
			continue
		}
		if (at > 0 && email[at-1] == '<') || (is(email[end], 'x') && email[end+1] == '"') || (is(email[end], 'y') && email[end+1] == '\'') {
			pr.unescaped[i] = true
		}
		const js = "javascript:"
		if pr.ps[i].user && is(email[end], 'x') && at >= len(js) && strings.EqualFold(email[at-len(js):at], js) && startsURLAttribute(email[:at-len(js)]) {
			pr.unchecked[i] = true
		}
	}
}

// errors reports what inspect found, as problems of m.
func (pr *prober) errors(k Kind, m *message) []error {
	var errs []error
	for _, i := range slices.Sorted(maps.Keys(pr.unescaped)) {
		errs = append(errs, m.fail(k, "email", "shows "+pr.ps[i].name()+" without escaping it for HTML, so a user could put markup or links into the email; wrap it in html.EscapeString", nil))
	}
	for _, i := range slices.Sorted(maps.Keys(pr.unchecked)) {
		errs = append(errs, m.fail(k, "email", "starts a link (href, src, ...) with "+pr.ps[i].name()+", which a user chooses, without checking it, so a user could make it a javascript: link; show it as text, or allow https URLs only", nil))
	}
	return errs
}

// startsURLAttribute reports whether html ends where the value of an
// attribute that browsers or mail readers follow as a URL begins:
// ` href="`, ` src='`, ` href=`.
func startsURLAttribute(html string) bool {
	before := strings.TrimRight(html, " \t\n\r\f")
	before = strings.TrimSuffix(strings.TrimSuffix(before, "\""), "'")
	before, ok := strings.CutSuffix(strings.TrimRight(before, " \t\n\r\f"), "=")
	if !ok {
		return false
	}
	before = strings.TrimRight(before, " \t\n\r\f")
	start := strings.LastIndexAny(before, " \t\n\r\f/<")
	return start >= 0 && before[start] != '<' && urlAttribute(strings.ToLower(before[start+1:]))
}

// urlAttribute reports whether browsers or mail readers follow the value of
// the attribute name as a URL.
func urlAttribute(name string) bool {
	switch name {
	case "href", "src", "srcset", "action", "formaction", "background", "cite", "poster", "data",
		"codebase", "longdesc", "usemap", "ping", "manifest", "icon", "profile", "archive", "xlink:href", "dynsrc", "lowsrc":
		return true
	}
	return false
}

// panicError is a panic of a Funcs function. Its text does not quote the
// panic's value, which may hold the code; Catalog errors at construction,
// with sample data only, add it.
type panicError struct {
	part  string
	value any
}

func (e *panicError) Error() string { return "the " + e.part + " function panicked" }

// Format prints Error for every verb: %#v must not show the value either.
func (e *panicError) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.Error())) }

type funcsRenderer Funcs

func (f funcsRenderer) render(m *Rendered, d Data) (err error) {
	part := ""
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{part: part, value: v}
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
