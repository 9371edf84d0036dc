package customauth

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/captcha"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/limits"
	"github.com/cognitrig/cognitrig/customauth/magiclink"
	"github.com/cognitrig/cognitrig/customauth/magiclink/kmssigner"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/delivery/ses"
	"github.com/cognitrig/cognitrig/delivery/sns"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/secrets"
	"github.com/cognitrig/cognitrig/triggers"
)

// ChannelKey is the clientMetadata key by which a client of the
// email-or-sms-otp step picks the code's channel: EMAIL_OTP or SMS_OTP.
const ChannelKey = "channel"

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
	secrets.Read(d) // the master key and the CAPTCHA secret
	c, err := config.LoadCustomAuth(d.Lookup)
	if !d.Fail(err) {
		return
	}
	dynamo := compose.Client(d, dynamodb.NewFromConfig)
	store, err := records.NewDynamoStore(dynamo, c.ChallengesTable)
	if err != nil {
		d.Invalid(config.EnvChallengesTable, err)
		return
	}
	// The same fields: the conversion stops compiling if they part. Zero
	// fields are unset variables: limits' defaults.
	budget, err := limits.NewDynamoStore(dynamo, c.ChallengesTable, limits.Limits(c.Limits))
	if err != nil {
		d.Invalid(config.EnvAuthLockout, err)
		return
	}
	var email, sms deliver.Sender
	if c.EmailFrom != "" {
		email = &ses.Sender{Client: compose.Client(d, sesv2.NewFromConfig), From: c.EmailFrom}
	}
	if c.Sequence.Has(config.StepSMSOTP, config.StepEmailOrSMSOTP) {
		sms = &sns.Sender{Client: compose.Client(d, awssns.NewFromConfig)}
	}
	otpKey := config.DeriveKey(c.MasterKey, "otp")

	var steps []customauth.Step
	for _, name := range c.Sequence.Steps {
		var step customauth.Step
		switch name {
		case config.StepCaptcha:
			step.Challenge = captchaChallenge(d, c.Captcha)
		case config.StepSecurityQuestion:
			step.Challenge = questionChallenge(d, dynamo, c.ChallengesTable, config.DeriveKey(c.MasterKey, "secquestion decoy"))
		case config.StepEmailOTP:
			step.Challenge = otpChallenge(d, deliver.Email, email, store, otpKey)
		case config.StepSMSOTP:
			step.Challenge = otpChallenge(d, deliver.SMS, sms, store, otpKey)
		case config.StepEmailOrSMSOTP:
			step.Challenge = otpChallenge(d, deliver.Email, email, store, otpKey)
			step.Alternatives = []customauth.Challenge{otpChallenge(d, deliver.SMS, sms, store, otpKey)}
			step.Choose = chooseChannel
		case config.StepMagicLink:
			step.Challenge = magicLinkChallenge(d, c, email, store)
		}
		if step.Challenge == nil || slices.Contains(step.Alternatives, nil) {
			return // the reason is recorded
		}
		steps = append(steps, step)
	}
	flow, err := customauth.New(customauth.Sequence{Password: c.Sequence.Password, Steps: steps, Logger: d.Logger, Budget: budget})
	if err != nil {
		d.Invalid(config.EnvAuthSequence, err)
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
		d.Invalid(config.EnvAuthSequence, err)
		return nil
	}
	return c
}

func captchaChallenge(d *compose.Deps, c config.Captcha) customauth.Challenge {
	ch, err := captcha.New(captcha.Config{
		Verifier: &captcha.SiteVerify{URL: c.VerifyURL, Secret: c.Secret, MinScore: c.MinScore, Action: c.Action, Hostnames: c.Hostnames},
		SiteKey:  c.SiteKey,
		Provider: c.Provider,
	})
	if err != nil {
		d.Invalid(config.EnvCaptchaVerifyURL, err)
		return nil
	}
	return ch
}

func questionChallenge(d *compose.Deps, dynamo *dynamodb.Client, table string, decoyKey []byte) customauth.Challenge {
	// New hashes a decoy answer once, at the cost of enrolled answers: a
	// few tens of milliseconds of the cold start, none of a sign-in.
	store, err := secquestion.NewDynamoStore(dynamo, table)
	if err != nil {
		d.Invalid(config.EnvChallengesTable, err)
		return nil
	}
	c, err := secquestion.New(secquestion.Config{
		Store:          store,
		DecoyQuestions: DecoyQuestions(),
		DecoyKey:       decoyKey,
		Logger:         d.Logger,
	})
	if err != nil {
		d.Invalid(config.EnvAuthSequence, err)
		return nil
	}
	return c
}

// magicLinkChallenge builds the magic-link step: links signed by the KMS
// HMAC key c.MagicLink.KMSKey when it is set, else by a key derived from
// the master key, opening only c.MagicLink.Pages.
func magicLinkChallenge(d *compose.Deps, c config.CustomAuth, email deliver.Sender, store records.Store) customauth.Challenge {
	var signer magiclink.Signer
	if c.MagicLink.KMSKey != "" {
		s, err := kmssigner.New(kmssigner.Config{Client: compose.Client(d, kms.NewFromConfig), KeyID: c.MagicLink.KMSKey})
		if err != nil {
			d.Invalid(config.EnvMagicLinkKMSKey, err)
			return nil
		}
		signer = s
	} else {
		s, err := magiclink.NewHMACSigner(config.DeriveKey(c.MasterKey, "magiclink"))
		if err != nil {
			d.Invalid(config.EnvMasterKey, err)
			return nil
		}
		signer = s
	}
	ch, err := magiclink.New(magiclink.Config{Signer: signer, Store: store, Sender: email, Pages: c.MagicLink.Pages, DefaultPage: c.MagicLink.DefaultPage, Logger: d.Logger})
	if err != nil {
		d.Invalid(config.EnvMagicLinkPages, err)
		return nil
	}
	return ch
}
