package customauth

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/captcha"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/limits"
	"github.com/cognitrig/cognitrig/customauth/magiclink"
	"github.com/cognitrig/cognitrig/customauth/magiclink/kmssigner"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/triggers"
)

// DefaultAuthSequence is the custom authentication sequence when
// COGNITRIG_AUTH_SEQUENCE is unset: a one-time code by email.
const DefaultAuthSequence = "email-otp"

// The step names of an authentication sequence.
const (
	StepPassword         = "password"          // Cognito's own password check (SRP), first only
	StepCaptcha          = "captcha"           // a CAPTCHA, checked by a siteverify endpoint
	StepSecurityQuestion = "security-question" // the user's security question
	StepEmailOTP         = "email-otp"         // a one-time code by email
	StepSMSOTP           = "sms-otp"           // a one-time code by SMS
	StepEmailOrSMSOTP    = "email-or-sms-otp"  // a one-time code by email or SMS (clientMetadata "channel", else the verified one)
	StepMagicLink        = "magic-link"        // a signed, single-use sign-in link by email
)

// ChannelKey is the clientMetadata key by which a client of the
// email-or-sms-otp step picks the code's channel: EMAIL_OTP or SMS_OTP.
const ChannelKey = "channel"

// Sequence is a parsed COGNITRIG_AUTH_SEQUENCE.
type Sequence struct {
	Password bool     // the sequence starts with Cognito's password check
	Steps    []string // the custom steps, in order
}

// ParseSequence parses an authentication sequence: comma-separated step
// names, optionally starting with "password", each step at most once and
// at most one kind of one-time code. For example "email-otp",
// "magic-link", "password,email-otp" or "password,captcha,security-question".
func ParseSequence(s string) (Sequence, error) {
	known := []string{StepCaptcha, StepSecurityQuestion, StepEmailOTP, StepSMSOTP, StepEmailOrSMSOTP, StepMagicLink}
	var seq Sequence
	if strings.TrimSpace(s) == "" {
		return seq, fmt.Errorf("no challenge step: name at least one of %s", strings.Join(known, ", "))
	}
	codes := 0
	for i, raw := range strings.Split(s, ",") {
		step := strings.ToLower(strings.TrimSpace(raw))
		switch {
		case step == StepPassword && i == 0:
			seq.Password = true
			continue
		case step == StepPassword:
			return Sequence{}, errors.New("password can only be the first step")
		case step == "":
			return Sequence{}, fmt.Errorf("%q has an empty step", s)
		case !slices.Contains(known, step):
			return Sequence{}, fmt.Errorf("unknown step %q: use %s, after an optional %s", step, strings.Join(known, ", "), StepPassword)
		case slices.Contains(seq.Steps, step):
			return Sequence{}, fmt.Errorf("step %s appears twice", step)
		}
		if step == StepEmailOTP || step == StepSMSOTP || step == StepEmailOrSMSOTP {
			if codes++; codes > 1 {
				return Sequence{}, errors.New("more than one one-time-code step: use email-or-sms-otp for a choice")
			}
		}
		seq.Steps = append(seq.Steps, step)
	}
	if len(seq.Steps) == 0 {
		return Sequence{}, fmt.Errorf("%q has no challenge step: name at least one of %s", s, strings.Join(known, ", "))
	}
	return seq, nil
}

// has reports whether the sequence has any of steps.
func (s Sequence) has(steps ...string) bool {
	return slices.ContainsFunc(s.Steps, func(x string) bool { return slices.Contains(steps, x) })
}

// DecoyQuestions returns the security questions shown to users that do
// not exist or have none, so that the question does not tell who is
// enrolled. Offer the same questions at enrollment.
func DecoyQuestions() []string {
	return []string{
		"What was the name of your first pet?",
		"In what city were you born?",
		"What was the name of your first school?",
		"What is your oldest cousin's first name?",
		"What was the make of your first car?",
	}
}

// CustomAuth is the custom authentication concern: Define, Create and
// Verify Auth Challenge, derived by package customauth from the sequence
// in COGNITRIG_AUTH_SEQUENCE.
//
// Required: COGNITRIG_CHALLENGES_TABLE, COGNITRIG_MASTER_KEY (the one-time
// code, magic-link and decoy keys are derived from it), and per step:
// COGNITRIG_EMAIL_FROM for codes and links by email;
// COGNITRIG_CAPTCHA_VERIFY_URL and COGNITRIG_CAPTCHA_SECRET for captcha
// (COGNITRIG_CAPTCHA_SITE_KEY and COGNITRIG_CAPTCHA_PROVIDER are passed to
// the client; COGNITRIG_CAPTCHA_MIN_SCORE, COGNITRIG_CAPTCHA_ACTION and
// COGNITRIG_CAPTCHA_HOSTNAMES are checked in the siteverify reply);
// COGNITRIG_MAGICLINK_PAGES and/or COGNITRIG_MAGICLINK_URL for magic-link,
// whose links are signed by the KMS HMAC key COGNITRIG_MAGICLINK_KMS_KEY
// when it is set (magiclink/kmssigner), so that no signing key is in the
// function.
//
// Every user's failure budget and send cap (package customauth/limits)
// live in the challenges table: COGNITRIG_AUTH_MAX_FAILURES wrong answers
// per COGNITRIG_AUTH_FAILURE_WINDOW start a lockout of
// COGNITRIG_AUTH_LOCKOUT, doubled for each further one up to
// COGNITRIG_AUTH_MAX_LOCKOUT; COGNITRIG_AUTH_MAX_SENDS codes or links per
// COGNITRIG_AUTH_SEND_WINDOW. The defaults are those of package limits.
func CustomAuth(d *compose.Deps, r *triggers.Router) {
	e := d.Env
	table := e.Required(compose.EnvChallengesTable)
	keys := e.MasterKey(compose.EnvMasterKey)
	seq, err := ParseSequence(e.String(compose.EnvAuthSequence, DefaultAuthSequence))
	if err != nil {
		d.Invalid(compose.EnvAuthSequence, err)
		return
	}
	var (
		store records.Store
		email deliver.Sender
		sms   deliver.Sender
	)
	if table != "" { // a missing table is reported by Env
		s, err := records.NewDynamoStore(dynamo(d), table)
		if err != nil {
			d.Invalid(compose.EnvChallengesTable, err)
			return
		}
		store = s
	}
	lim := limits.Limits{
		MaxFailures:   e.Int(compose.EnvAuthMaxFailures, limits.DefaultMaxFailures, 1, 100),
		FailureWindow: e.Duration(compose.EnvAuthFailWindow, limits.DefaultFailureWindow, time.Minute, 24*time.Hour),
		Lockout:       e.Duration(compose.EnvAuthLockout, limits.DefaultLockout, time.Second, 30*24*time.Hour),
		MaxLockout:    e.Duration(compose.EnvAuthMaxLockout, limits.DefaultMaxLockout, time.Second, 30*24*time.Hour),
		MaxSends:      e.Int(compose.EnvAuthMaxSends, limits.DefaultMaxSends, 1, 1000),
		SendWindow:    e.Duration(compose.EnvAuthSendWindow, limits.DefaultSendWindow, time.Minute, 24*time.Hour),
	}
	var budget limits.Store
	if table != "" {
		b, err := limits.NewDynamoStore(dynamo(d), table, lim)
		if err != nil {
			d.Invalid(compose.EnvAuthLockout, err)
			return
		}
		budget = b
	}
	if seq.has(StepEmailOTP, StepEmailOrSMSOTP, StepMagicLink) {
		if from := e.Required(compose.EnvEmailFrom); from != "" {
			email = &deliver.SES{Client: sesClient(d), From: from}
		}
	}
	if seq.has(StepSMSOTP, StepEmailOrSMSOTP) {
		sms = &deliver.SNS{Client: snsClient(d)}
	}
	// A missing master key or table is reported by Env; build nothing
	// that would only repeat the complaint.
	ready := table != "" && keys.Derive("otp") != nil

	var steps []customauth.Step
	complete := true
	for _, name := range seq.Steps {
		var step customauth.Step
		switch name {
		case StepCaptcha:
			step.Challenge = captchaChallenge(d)
		case StepSecurityQuestion:
			if ready {
				step.Challenge = questionChallenge(d, table, keys.Derive("secquestion decoy"))
			}
		case StepEmailOTP:
			if ready && email != nil {
				step.Challenge = otpChallenge(d, deliver.Email, email, store, keys.Derive("otp"))
			}
		case StepSMSOTP:
			if ready {
				step.Challenge = otpChallenge(d, deliver.SMS, sms, store, keys.Derive("otp"))
			}
		case StepEmailOrSMSOTP:
			if ready && email != nil {
				step.Challenge = otpChallenge(d, deliver.Email, email, store, keys.Derive("otp"))
				step.Alternatives = []customauth.Challenge{otpChallenge(d, deliver.SMS, sms, store, keys.Derive("otp"))}
				step.Choose = chooseChannel
			}
		case StepMagicLink:
			step.Challenge = magicLinkChallenge(d, ready, email, store, keys.Derive("magiclink"))
		}
		if step.Challenge == nil || slices.Contains(step.Alternatives, nil) {
			complete = false // the reason is recorded; check the other steps' settings
			continue
		}
		steps = append(steps, step)
	}
	if !complete {
		return
	}
	flow, err := customauth.New(customauth.Sequence{Password: seq.Password, Steps: steps, Logger: d.Logger, Budget: budget})
	if err != nil {
		d.Invalid(compose.EnvAuthSequence, err)
		return
	}
	flow.Register(r)
}

// chooseChannel lets the client pick the code's channel with
// clientMetadata {"channel": "EMAIL_OTP" or "SMS_OTP"}, both equally strong;
// otherwise the code goes to the verified address, email first.
func chooseChannel(f customauth.Facts) string {
	if c := f.ClientMetadata[ChannelKey]; c == "EMAIL_OTP" || c == "SMS_OTP" {
		return c
	}
	return customauth.PreferVerified("email", "EMAIL_OTP", "phone_number", "SMS_OTP")(f)
}

func otpChallenge(d *compose.Deps, ch deliver.Channel, s deliver.Sender, store records.Store, key []byte) customauth.Challenge {
	c, err := otp.New(otp.Config{Channel: ch, Sender: s, Store: store, Key: key, Logger: d.Logger})
	if err != nil {
		d.Invalid(compose.EnvAuthSequence, err)
		return nil
	}
	return c
}

// DefaultRecaptchaMinScore is the least reCAPTCHA v3 score accepted when
// COGNITRIG_CAPTCHA_PROVIDER is "recaptcha" and COGNITRIG_CAPTCHA_MIN_SCORE
// is unset: Google's suggested threshold.
const DefaultRecaptchaMinScore = 0.5

func captchaChallenge(d *compose.Deps) customauth.Challenge {
	e := d.Env
	verifyURL := compose.RequiredURL(e, compose.EnvCaptchaVerifyURL)
	secret := e.Required(compose.EnvCaptchaSecret)
	provider := e.String(compose.EnvCaptchaProvider, "")
	minScore := 0.0
	if strings.EqualFold(provider, "recaptcha") {
		minScore = DefaultRecaptchaMinScore
	}
	if v := e.String(compose.EnvCaptchaMinScore, ""); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			d.Invalid(compose.EnvCaptchaMinScore, fmt.Errorf("%q is not a score from 0 to 1", v))
			return nil
		}
		minScore = f
	}
	if verifyURL == "" || secret == "" {
		return nil
	}
	c, err := captcha.New(captcha.Config{
		Verifier: &captcha.SiteVerify{URL: verifyURL, Secret: triggers.Secret(secret),
			MinScore: minScore, Action: e.String(compose.EnvCaptchaAction, ""), Hostnames: e.List(compose.EnvCaptchaHostnames)},
		SiteKey:  e.String(compose.EnvCaptchaSiteKey, ""),
		Provider: provider,
	})
	if err != nil {
		d.Invalid(compose.EnvCaptchaVerifyURL, err)
		return nil
	}
	return c
}

func questionChallenge(d *compose.Deps, table string, decoyKey []byte) customauth.Challenge {
	// New hashes a decoy answer once, at the cost of enrolled answers: a
	// few tens of milliseconds of the cold start, none of a sign-in.
	store, err := secquestion.NewDynamoStore(dynamo(d), table)
	if err != nil {
		d.Invalid(compose.EnvChallengesTable, err)
		return nil
	}
	c, err := secquestion.New(secquestion.Config{
		Store:          store,
		DecoyQuestions: DecoyQuestions(),
		DecoyKey:       decoyKey,
		Logger:         d.Logger,
	})
	if err != nil {
		d.Invalid(compose.EnvAuthSequence, err)
		return nil
	}
	return c
}

// DefaultPageKey is the key of COGNITRIG_MAGICLINK_URL among the pages.
const DefaultPageKey = "default"

// magicLinkChallenge builds the magic-link step. Links open only the exact
// pages of COGNITRIG_MAGICLINK_PAGES ("key=https://host/path,...") and
// COGNITRIG_MAGICLINK_URL (key "default", the page when the client names
// none); the client chooses by key in clientMetadata "page".
// COGNITRIG_MAGICLINK_ORIGINS, which let a client name any path on an
// origin, is refused.
func magicLinkChallenge(d *compose.Deps, ready bool, email deliver.Sender, store records.Store, key []byte) customauth.Challenge {
	e := d.Env
	if e.String(compose.EnvMagicLinkOrigins, "") != "" {
		d.Invalid(compose.EnvMagicLinkOrigins, fmt.Errorf("is no longer supported: a client could send links to any page of an origin; list the exact pages in %s (key=https://host/path) or set %s", compose.EnvMagicLinkPages, compose.EnvMagicLinkURL))
		return nil
	}
	pages := map[string]string{}
	for _, p := range e.List(compose.EnvMagicLinkPages) {
		k, u, ok := strings.Cut(p, "=")
		k, u = strings.TrimSpace(k), strings.TrimSpace(u)
		if !ok || k == "" || u == "" {
			d.Invalid(compose.EnvMagicLinkPages, fmt.Errorf("%q is not key=https://host/path", p))
			return nil
		}
		pages[k] = u
	}
	defaultPage := ""
	if page := e.URL(compose.EnvMagicLinkURL); page != "" {
		pages[DefaultPageKey] = page
		defaultPage = DefaultPageKey
	}
	if len(pages) == 0 && e.String(compose.EnvMagicLinkURL, "") == "" {
		d.Invalid(compose.EnvMagicLinkPages, fmt.Errorf("the magic-link step needs the pages its links may open, or %s", compose.EnvMagicLinkURL))
		return nil
	}
	var signer magiclink.Signer
	if kmsKey := e.String(compose.EnvMagicLinkKMSKey, ""); kmsKey != "" {
		s, err := kmssigner.New(kmssigner.Config{Client: kmsClient(d), KeyID: kmsKey})
		if err != nil {
			d.Invalid(compose.EnvMagicLinkKMSKey, err)
			return nil
		}
		signer = s
	}
	if !ready || email == nil || len(pages) == 0 {
		return nil
	}
	if signer == nil {
		s, err := magiclink.NewHMACSigner(key)
		if err != nil {
			d.Invalid(compose.EnvMasterKey, err)
			return nil
		}
		signer = s
	}
	c, err := magiclink.New(magiclink.Config{Signer: signer, Store: store, Sender: email, Pages: pages, DefaultPage: defaultPage, Logger: d.Logger})
	if err != nil {
		d.Invalid(compose.EnvMagicLinkPages, err)
		return nil
	}
	return c
}
