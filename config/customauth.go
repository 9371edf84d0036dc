package config

import (
	"strconv"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/triggers"
)

// DefaultRecaptchaMinScore is the least reCAPTCHA v3 score accepted when
// COGNITRIG_CAPTCHA_PROVIDER is "recaptcha" and COGNITRIG_CAPTCHA_MIN_SCORE
// is unset: Google's suggested threshold.
const DefaultRecaptchaMinScore = 0.5

// DefaultPageKey is the key of COGNITRIG_MAGICLINK_URL among the pages.
const DefaultPageKey = "default"

// CustomAuth are the settings of custom authentication (Define, Create and
// Verify Auth Challenge).
type CustomAuth struct {
	ChallengesTable string          // COGNITRIG_CHALLENGES_TABLE: codes, used links, security questions, budgets
	MasterKey       triggers.Secret // COGNITRIG_MASTER_KEY, decoded: 32 or more bytes; see DeriveKey
	Sequence        Sequence        // COGNITRIG_AUTH_SEQUENCE
	// EmailFrom is COGNITRIG_EMAIL_FROM, the SES sender of codes and links;
	// set when the sequence sends email.
	EmailFrom string
	Captcha   Captcha   // set when the sequence has a captcha step
	MagicLink MagicLink // set when the sequence has a magic-link step
	Limits    Limits
}

// Captcha are the settings of the captcha step.
type Captcha struct {
	VerifyURL string          // COGNITRIG_CAPTCHA_VERIFY_URL: https siteverify endpoint
	Secret    triggers.Secret // COGNITRIG_CAPTCHA_SECRET
	SiteKey   string          // COGNITRIG_CAPTCHA_SITE_KEY, public
	Provider  string          // COGNITRIG_CAPTCHA_PROVIDER, public
	MinScore  float64         // COGNITRIG_CAPTCHA_MIN_SCORE, 0..1; 0 is unchecked
	Action    string          // COGNITRIG_CAPTCHA_ACTION; "" is unchecked
	Hostnames []string        // COGNITRIG_CAPTCHA_HOSTNAMES; none is unchecked
}

// MagicLink are the settings of the magic-link step.
type MagicLink struct {
	// Pages are the exact pages links may open, by the key a client names
	// in clientMetadata "page": COGNITRIG_MAGICLINK_PAGES, and
	// COGNITRIG_MAGICLINK_URL under DefaultPageKey.
	Pages map[string]string
	// DefaultPage is DefaultPageKey when COGNITRIG_MAGICLINK_URL is set.
	DefaultPage string
	// KMSKey is COGNITRIG_MAGICLINK_KMS_KEY, the KMS HMAC key signing
	// links; "" signs with a key derived from the master key ("magiclink").
	KMSKey string
}

// Limits are each user's failure budget and send cap. A zero field is an
// unset variable: package customauth/limits applies its default (the
// README's table states them).
type Limits struct {
	MaxFailures   int           // COGNITRIG_AUTH_MAX_FAILURES, 1..100
	FailureWindow time.Duration // COGNITRIG_AUTH_FAILURE_WINDOW, 1m..24h
	Lockout       time.Duration // COGNITRIG_AUTH_LOCKOUT, 1s..720h
	MaxLockout    time.Duration // COGNITRIG_AUTH_MAX_LOCKOUT, 1s..720h
	MaxSends      int           // COGNITRIG_AUTH_MAX_SENDS, 1..1000
	SendWindow    time.Duration // COGNITRIG_AUTH_SEND_WINDOW, 1m..24h
}

// LoadCustomAuth reads the settings of custom authentication. The table and
// the master key are required, and each step's own variables are required
// when the sequence has the step (COGNITRIG_EMAIL_FROM for email codes and
// links; the CAPTCHA verify URL and secret; magic-link pages).
// COGNITRIG_MAGICLINK_ORIGINS is refused.
func LoadCustomAuth(lookup func(string) (string, bool)) (CustomAuth, error) {
	e := newReader(lookup)
	c := CustomAuth{
		ChallengesTable: e.Required(EnvChallengesTable),
		MasterKey:       e.Key(EnvMasterKey, MinKeyBytes, true),
	}
	seq, err := ParseSequence(e.String(EnvAuthSequence, DefaultAuthSequence))
	if err != nil {
		e.invalid(EnvAuthSequence, err)
		return c, e.err()
	}
	c.Sequence = seq
	c.Limits = Limits{
		MaxFailures:   e.Int(EnvAuthMaxFailures, 0, 1, 100),
		FailureWindow: e.Duration(EnvAuthFailWindow, 0, time.Minute, 24*time.Hour),
		Lockout:       e.Duration(EnvAuthLockout, 0, time.Second, 30*24*time.Hour),
		MaxLockout:    e.Duration(EnvAuthMaxLockout, 0, time.Second, 30*24*time.Hour),
		MaxSends:      e.Int(EnvAuthMaxSends, 0, 1, 1000),
		SendWindow:    e.Duration(EnvAuthSendWindow, 0, time.Minute, 24*time.Hour),
	}
	if seq.Has(StepEmailOTP, StepEmailOrSMSOTP, StepMagicLink) {
		c.EmailFrom = e.Required(EnvEmailFrom)
	}
	if seq.Has(StepCaptcha) {
		c.Captcha = loadCaptcha(e)
	}
	if seq.Has(StepMagicLink) {
		c.MagicLink = loadMagicLink(e)
	}
	return c, e.err()
}

func loadCaptcha(e *reader) Captcha {
	c := Captcha{
		VerifyURL: e.RequiredURL(EnvCaptchaVerifyURL),
		Secret:    triggers.Secret(e.Required(EnvCaptchaSecret)),
		SiteKey:   e.String(EnvCaptchaSiteKey, ""),
		Provider:  e.String(EnvCaptchaProvider, ""),
		Action:    e.String(EnvCaptchaAction, ""),
		Hostnames: e.List(EnvCaptchaHostnames),
	}
	if strings.EqualFold(c.Provider, "recaptcha") {
		c.MinScore = DefaultRecaptchaMinScore
	}
	if v := e.String(EnvCaptchaMinScore, ""); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			e.fail(EnvCaptchaMinScore, "%q is not a score from 0 to 1", v)
		} else {
			c.MinScore = f
		}
	}
	return c
}

// loadMagicLink reads the pages links may open: the exact pages of
// COGNITRIG_MAGICLINK_PAGES ("key=https://host/path,...") and
// COGNITRIG_MAGICLINK_URL (key "default", the page when the client names
// none). COGNITRIG_MAGICLINK_ORIGINS, which let a client name any path on
// an origin, is refused.
func loadMagicLink(e *reader) MagicLink {
	if e.set(EnvMagicLinkOrigins) {
		e.fail(EnvMagicLinkOrigins, "is no longer supported: a client could send links to any page of an origin; list the exact pages in %s (key=https://host/path) or set %s", EnvMagicLinkPages, EnvMagicLinkURL)
		return MagicLink{}
	}
	m := MagicLink{Pages: map[string]string{}, KMSKey: e.String(EnvMagicLinkKMSKey, "")}
	for _, p := range e.List(EnvMagicLinkPages) {
		k, u, ok := strings.Cut(p, "=")
		k, u = strings.TrimSpace(k), strings.TrimSpace(u)
		if !ok || k == "" || u == "" {
			e.fail(EnvMagicLinkPages, "%q is not key=https://host/path", p)
			return MagicLink{}
		}
		if _, dup := m.Pages[k]; dup {
			e.fail(EnvMagicLinkPages, "page %q is given twice: a link could open either", k)
			return MagicLink{}
		}
		m.Pages[k] = u
	}
	if _, dup := m.Pages[DefaultPageKey]; dup && e.set(EnvMagicLinkURL) {
		e.fail(EnvMagicLinkPages, "page %q is also set by %s: name it once", DefaultPageKey, EnvMagicLinkURL)
		return MagicLink{}
	}
	if page := e.URL(EnvMagicLinkURL); page != "" {
		m.Pages[DefaultPageKey] = page
		m.DefaultPage = DefaultPageKey
	}
	if len(m.Pages) == 0 && !e.set(EnvMagicLinkURL) {
		e.fail(EnvMagicLinkPages, "the magic-link step needs the pages its links may open, or %s", EnvMagicLinkURL)
	}
	return m
}
