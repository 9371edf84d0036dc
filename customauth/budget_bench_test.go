package customauth_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/limits"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// counting is a DynamoDB client that counts its calls.
type counting struct {
	*dynamodb.Client
	calls atomic.Int64
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.calls.Add(1)
	return c.Client.GetItem(ctx, in, o...)
}

func (c *counting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.calls.Add(1)
	return c.Client.PutItem(ctx, in, o...)
}

func (c *counting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.calls.Add(1)
	return c.Client.UpdateItem(ctx, in, o...)
}

func (c *counting) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.calls.Add(1)
	return c.Client.DeleteItem(ctx, in, o...)
}

// unlimited is a budget that allows everything and makes no call: the
// baseline of the budget's cost.
type unlimited struct{}

func (unlimited) Spend(context.Context, string, limits.Charge, time.Time) (bool, error) {
	return true, nil
}

// otpBench is an email-otp flow on dynalite whose sender keeps the last
// code and takes sendTime (plus up to half of it at random), as SES would.
type otpBench struct {
	flow          *customauth.Flow
	records, budg *counting
	code          atomic.Value
}

func newOTPBench(b *testing.B, withBudget bool, sendTime time.Duration) *otpBench {
	b.Helper()
	client := dynamotest.Client(b)
	table := dynamotest.CreateTable(b, client, records.TableDefinition("bench"))
	ob := &otpBench{records: &counting{Client: client}, budg: &counting{Client: client}}
	sender := deliver.SenderFunc(func(_ context.Context, m deliver.Message) error {
		ob.code.Store(m.Secret.Reveal())
		if sendTime > 0 {
			time.Sleep(sendTime + rand.N(sendTime/2))
		}
		return nil
	})
	store, err := records.NewDynamoStore(ob.records, table)
	if err != nil {
		b.Fatal(err)
	}
	ch, err := otp.New(otp.Config{Channel: deliver.Email, Sender: sender, Store: store, Key: []byte("bench-key-0123456789abcdef-0123456789")})
	if err != nil {
		b.Fatal(err)
	}
	var budget limits.Store = unlimited{}
	if withBudget {
		if budget, err = limits.NewDynamoStore(ob.budg, table, limits.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	if ob.flow, err = customauth.New(customauth.Sequence{Steps: []customauth.Step{{Challenge: ch}}, Budget: budget}); err != nil {
		b.Fatal(err)
	}
	return ob
}

// round runs one challenge round as Cognito does - Define, Create, then
// Verify of answer - and returns the session after it.
func (ob *otpBench) round(b *testing.B, user string, notFound bool, session []triggers.ChallengeResult, answer func() string) []triggers.ChallengeResult {
	ctx := context.Background()
	attrs := triggers.Attributes{"sub": user, "email": "u@example.com", "email_verified": "true"}
	if notFound {
		attrs = triggers.Attributes{}
	}
	def := triggertest.Decode[triggers.DefineAuthChallengeEvent](b, "DefineAuthChallenge_Authentication")
	def.UserName, def.Request.UserAttributes, def.Request.UserNotFound, def.Request.Session = user, attrs, notFound, session
	if err := ob.flow.Define(ctx, def); err != nil || def.Response.ChallengeName != triggers.ChallengeCustom {
		b.Fatalf("define: %v %+v", err, def.Response)
	}
	cr := triggertest.Decode[triggers.CreateAuthChallengeEvent](b, "CreateAuthChallenge_Authentication.passwordless")
	cr.UserName, cr.Request.UserAttributes, cr.Request.UserNotFound, cr.Request.Session = user, attrs, notFound, session
	if err := ob.flow.Create(ctx, cr); err != nil {
		b.Fatal(err)
	}
	ve := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](b, "VerifyAuthChallengeResponse_Authentication")
	ve.UserName, ve.Request.UserAttributes, ve.Request.UserNotFound = user, attrs, notFound
	ve.Request.PrivateChallengeParameters, ve.Request.ChallengeAnswer = cr.Response.PrivateChallengeParameters, triggers.Secret(answer())
	if err := ob.flow.Verify(ctx, ve); err != nil {
		b.Fatal(err)
	}
	return append(slices.Clone(session), triggers.ChallengeResult{ChallengeName: triggers.ChallengeCustom, ChallengeResult: ve.Response.AnswerCorrect, ChallengeMetadata: cr.Response.ChallengeMetadata})
}

// BenchmarkBudgetSignIn is a sign-in by email code on dynalite - a wrong
// code, then the right one: Define, Create, Verify twice and the final
// Define - with the DynamoDB budget and with none. It reports the DynamoDB
// calls per sign-in and the budget's calls per Define (one per challenge
// round: each InitiateAuth or RespondToAuthChallenge runs Define once).
func BenchmarkBudgetSignIn(b *testing.B) {
	for _, withBudget := range []bool{false, true} {
		name := "no-budget"
		if withBudget {
			name = "dynamodb-budget"
		}
		b.Run(name, func(b *testing.B) {
			ob := newOTPBench(b, withBudget, 0)
			ctx := context.Background()
			defines := 0
			b.ResetTimer()
			for i := range b.N {
				user := "bench-" + strconv.Itoa(i)
				s := ob.round(b, user, false, nil, func() string { return "000000" })
				s = ob.round(b, user, false, s, func() string { return ob.code.Load().(string) })
				def := triggertest.Decode[triggers.DefineAuthChallengeEvent](b, "DefineAuthChallenge_Authentication")
				def.UserName, def.Request.UserAttributes, def.Request.Session = user, triggers.Attributes{"sub": user}, s
				if err := ob.flow.Define(ctx, def); err != nil || !def.Response.IssueTokens {
					b.Fatalf("final define: %v %+v (session %v)", err, def.Response, s)
				}
				defines += 3
			}
			b.ReportMetric(float64(ob.records.calls.Load()+ob.budg.calls.Load())/float64(b.N), "ddb-calls/signin")
			b.ReportMetric(float64(ob.budg.calls.Load())/float64(defines), "budget-calls/round")
		})
	}
}

// BenchmarkRealVsUnknownRound times one round (Define, Create, Verify of a
// wrong code) for a real user and for a user that does not exist, with a
// sender that takes 20-30 ms as SES would, and reports the 10th, 50th and
// 90th percentiles: the distributions should overlap. Each function has
// first served 10 real rounds, whose send times the decoys imitate.
func BenchmarkRealVsUnknownRound(b *testing.B) {
	for _, notFound := range []bool{false, true} {
		name := "real"
		if notFound {
			name = "unknown"
		}
		b.Run(name, func(b *testing.B) {
			ob := newOTPBench(b, true, 20*time.Millisecond)
			// A warm instance has timed real sends, which decoys imitate.
			for i := range 10 {
				ob.round(b, "warm-"+strconv.Itoa(i), false, nil, func() string { return "000000" })
			}
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				user := "user-" + strconv.Itoa(i) // a new code, and a send, every round
				start := time.Now()
				ob.round(b, user, notFound, nil, func() string { return "000000" })
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			for _, p := range []int{10, 50, 90} {
				b.ReportMetric(float64(times[(len(times)-1)*p/100].Microseconds())/1000, "ms-p"+strconv.Itoa(p))
			}
		})
	}
}
