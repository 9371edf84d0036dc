package customauth_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/captcha"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// fiveSteps is a five-step sequence after the password: a conditional
// CAPTCHA, a code by email or SMS, a conditional question, a magic link and
// a PIN.
func fiveSteps(b *testing.B) *customauth.Flow {
	b.Helper()
	fl, err := customauth.New(customauth.Sequence{
		Password: true,
		Steps: []customauth.Step{
			{Challenge: stub("CAPTCHA"), When: customauth.ClientMetadataEquals("captcha", "yes")},
			{Challenge: stub("EMAIL_OTP"), Alternatives: []customauth.Challenge{stub("SMS_OTP")},
				Choose: customauth.PreferVerified("email", "EMAIL_OTP", "phone_number", "SMS_OTP")},
			{Challenge: stub("QUESTION"), When: customauth.AttributeEquals("custom:question", "on")},
			{Challenge: stub("MAGIC_LINK")},
			{Challenge: stub("PIN")},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	return fl
}

// A long session of the five-step flow: every step, some wrong answers,
// the last step still to pass.
var longSession = []triggers.ChallengeResult{
	srpA, password,
	custom("CAPTCHA", false), custom("CAPTCHA", true),
	custom("EMAIL_OTP", false), custom("SMS_OTP", true),
	custom("QUESTION", true),
	custom("MAGIC_LINK", true),
	custom("PIN", false),
}

var fiveStepFacts = customauth.Facts{
	Attributes:     triggers.Attributes{"custom:question": "on", "email_verified": "true"},
	ClientMetadata: triggers.Metadata{"captcha": "yes"},
}

func BenchmarkDecide(b *testing.B) {
	fl := fiveSteps(b)
	done := append(longSession[:len(longSession):len(longSession)], custom("PIN", true))
	for _, c := range []struct {
		name    string
		session []triggers.ChallengeResult
		want    customauth.Outcome
	}{
		{"five-steps/start", nil, customauth.NextRound},
		{"five-steps/long-session", longSession, customauth.NextRound},
		{"five-steps/all-passed", done, customauth.IssueTokens},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d := fl.Decide(c.session, fiveStepFacts); d.Outcome != c.want {
					b.Fatalf("decision %+v", d)
				}
			}
		})
	}
}

// BenchmarkDefine measures the DefineAuthChallenge handler: typed event in,
// response out (what runs per call once the Lambda runtime has decoded the
// event), and the whole Router.Invoke with JSON decoding and encoding.
func BenchmarkDefine(b *testing.B) {
	fl := fiveSteps(b)
	ev := triggertest.Decode[triggers.DefineAuthChallengeEvent](b, "DefineAuthChallenge_Authentication")
	ev.Request.Session = longSession
	ev.Request.UserAttributes = fiveStepFacts.Attributes
	ev.Request.ClientMetadata = fiveStepFacts.ClientMetadata
	ctx := context.Background()
	b.Run("five-steps/handler", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := fl.Define(ctx, ev); err != nil || ev.Response.ChallengeName != "CUSTOM_CHALLENGE" {
				b.Fatal(err, ev.Response)
			}
		}
	})
	r := triggers.NewRouter()
	fl.Register(r)
	payload := triggertest.FromJSON(b, triggertest.Load(b, "DefineAuthChallenge_Authentication")).
		Set("request.session", longSession).
		Set("request.userAttributes.custom:question", "on").
		Set("request.clientMetadata.captcha", "yes").JSON(b)
	b.Run("five-steps/router-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var benchKey = []byte("bench-key-0123456789abcdef-0123456789")

func otpFlow(b *testing.B, store records.Store) *customauth.Flow {
	b.Helper()
	ch, err := otp.New(otp.Config{
		Channel:    deliver.Email,
		Sender:     deliver.SenderFunc(func(context.Context, deliver.Message) error { return nil }),
		Store:      store,
		Key:        benchKey,
		MaxGuesses: 1 << 30,
	})
	if err != nil {
		b.Fatal(err)
	}
	fl, err := customauth.New(customauth.Sequence{Steps: []customauth.Step{{Challenge: ch}}})
	if err != nil {
		b.Fatal(err)
	}
	return fl
}

// BenchmarkCreate measures the CreateAuthChallenge handler with the email
// code challenge and an in-memory record store (DynamoDB adds its round
// trips): a new code (new record, derivation, send to a no-op sender) and
// Cognito's retry of the same round (record found, no send).
func BenchmarkCreate(b *testing.B) {
	ctx := context.Background()
	b.Run("otp/new-code", func(b *testing.B) {
		fl := otpFlow(b, &records.MemoryStore{})
		ev := triggertest.Decode[triggers.CreateAuthChallengeEvent](b, "CreateAuthChallenge_Authentication.passwordless")
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			ev.Request.UserAttributes["sub"] = "user-" + strconv.Itoa(i)
			if err := fl.Create(ctx, ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("otp/retry", func(b *testing.B) {
		fl := otpFlow(b, &records.MemoryStore{})
		ev := triggertest.Decode[triggers.CreateAuthChallengeEvent](b, "CreateAuthChallenge_Authentication.passwordless")
		b.ReportAllocs()
		for b.Loop() {
			if err := fl.Create(ctx, ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("captcha", func(b *testing.B) {
		ch, _ := captcha.New(captcha.Config{Verifier: captcha.VerifierFunc(func(context.Context, string) (bool, error) { return true, nil }), SiteKey: "k"})
		fl, _ := customauth.New(customauth.Sequence{Steps: []customauth.Step{{Challenge: ch}}})
		ev := triggertest.Decode[triggers.CreateAuthChallengeEvent](b, "CreateAuthChallenge_Authentication.passwordless")
		b.ReportAllocs()
		for b.Loop() {
			if err := fl.Create(ctx, ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerify measures the VerifyAuthChallengeResponse handler: an
// email code (MAC in constant time, a wrong answer counted on the
// in-memory record), a CAPTCHA with a local verifier, and a security
// question at the production argon2id cost (19 MiB, 2 passes), which
// dominates its time by design.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	b.Run("otp/wrong-code", func(b *testing.B) {
		fl := otpFlow(b, &records.MemoryStore{})
		create := triggertest.Decode[triggers.CreateAuthChallengeEvent](b, "CreateAuthChallenge_Authentication.passwordless")
		if err := fl.Create(ctx, create); err != nil {
			b.Fatal(err)
		}
		ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](b, "VerifyAuthChallengeResponse_Authentication")
		ev.Request.PrivateChallengeParameters = create.Response.PrivateChallengeParameters
		ev.Request.ChallengeAnswer = "000000"
		b.ReportAllocs()
		for b.Loop() {
			if err := fl.Verify(ctx, ev); err != nil || ev.Response.AnswerCorrect {
				b.Fatal(err)
			}
		}
	})
	b.Run("captcha", func(b *testing.B) {
		ch, _ := captcha.New(captcha.Config{Verifier: captcha.VerifierFunc(func(_ context.Context, t string) (bool, error) { return t == "ok", nil })})
		fl, _ := customauth.New(customauth.Sequence{Steps: []customauth.Step{{Challenge: ch}}})
		ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](b, "VerifyAuthChallengeResponse_Authentication")
		ev.Request.ChallengeAnswer = "ok"
		b.ReportAllocs()
		for b.Loop() {
			if err := fl.Verify(ctx, ev); err != nil || !ev.Response.AnswerCorrect {
				b.Fatal(err)
			}
		}
	})
	b.Run("secquestion/argon2id-19MiB", func(b *testing.B) {
		store := &secquestion.MemoryStore{}
		if err := secquestion.Enroll(ctx, store, "us-east-1_EXAMPLE1", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "Pet?", "Rex", secquestion.DefaultParams()); err != nil {
			b.Fatal(err)
		}
		ch, err := secquestion.New(secquestion.Config{Store: store, DecoyQuestions: []string{"Pet?"}, DecoyKey: benchKey})
		if err != nil {
			b.Fatal(err)
		}
		fl, _ := customauth.New(customauth.Sequence{Steps: []customauth.Step{{Challenge: ch}}})
		create := triggertest.Decode[triggers.CreateAuthChallengeEvent](b, "CreateAuthChallenge_Authentication.passwordless")
		if err := fl.Create(ctx, create); err != nil {
			b.Fatal(err)
		}
		ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](b, "VerifyAuthChallengeResponse_Authentication")
		ev.Request.PrivateChallengeParameters = create.Response.PrivateChallengeParameters
		ev.Request.ChallengeAnswer = "rex"
		b.ReportAllocs()
		for b.Loop() {
			if err := fl.Verify(ctx, ev); err != nil || !ev.Response.AnswerCorrect {
				b.Fatal(err)
			}
		}
	})
}
