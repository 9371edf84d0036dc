package attach_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitrig/cognitrig/internal/attach"
	"github.com/cognitrig/cognitrig/internal/awsfake"
)

const (
	poolID = "us-east-1_Ex4mple"
	fnARN  = "arn:aws:lambda:us-east-1:123456789012:function:cognitrig-customauth"
	theirs = "arn:aws:lambda:us-east-1:123456789012:function:their-own"
)

func loadPool(t *testing.T) map[string]any {
	return awsfake.LoadPoolSettings(t, "testdata/pool.json")
}

// The fixture must set every setting UpdateUserPool takes, or the
// round-trip test would not see a setting the update resets.
func TestFixtureSetsEverySetting(t *testing.T) {
	pool := loadPool(t)
	for _, k := range awsfake.UpdatableSettings() {
		switch k {
		case "PoolName":
			k = "Name"
		case "IssuerConfiguration", "KeyConfiguration":
			// Newer settings this fixture leaves at their defaults; the
			// round trip still checks they stay absent.
			continue
		}
		if _, ok := pool[k]; !ok {
			t.Errorf("testdata/pool.json does not set %s", k)
		}
	}
}

func attachReq(list string) attach.Request {
	c, err := attach.ParseTriggers(list)
	if err != nil {
		panic(err)
	}
	return attach.Request{UserPoolID: poolID, FunctionARN: fnARN, Choices: c}
}

// withoutLambdaConfig drops what attach may change.
func withoutLambdaConfig(m map[string]any) map[string]any {
	delete(m, "LambdaConfig")
	return m
}

func TestAttachKeepsEveryOtherSetting(t *testing.T) {
	ctx := context.Background()
	orig := loadPool(t)
	cog := awsfake.NewCognitoPoolSettings(t, loadPool(t))
	lam := awsfake.NewLambdaPolicy(t)

	req := attachReq("pre-token=V2_0,define-auth,create-auth,verify-auth")
	plan, err := attach.Prepare(ctx, cog.Client(), req)
	if err != nil {
		t.Fatal(err)
	}
	if err := attach.Apply(ctx, cog.Client(), lam.Client(), req, plan); err != nil {
		t.Fatal(err)
	}
	got := cog.Settings()
	lc := got["LambdaConfig"].(map[string]any)
	if lc["PostConfirmation"] != theirs {
		t.Errorf("the pool's own post-confirmation trigger was lost: %v", lc)
	}
	for _, k := range []string{"DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse", "PreTokenGeneration"} {
		if lc[k] != fnARN {
			t.Errorf("LambdaConfig.%s = %v, want %s", k, lc[k], fnARN)
		}
	}
	if ptg, _ := lc["PreTokenGenerationConfig"].(map[string]any); ptg["LambdaArn"] != fnARN || ptg["LambdaVersion"] != "V2_0" {
		t.Errorf("PreTokenGenerationConfig = %v", lc["PreTokenGenerationConfig"])
	}
	if want := withoutLambdaConfig(orig); !reflect.DeepEqual(withoutLambdaConfig(got), want) {
		for k := range want {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("setting %s changed:\n got %v\nwant %v", k, got[k], want[k])
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("setting %s appeared: %v", k, got[k])
			}
		}
	}
	st := lam.Statements(fnARN)[attach.StatementID(poolID)]
	var perm map[string]string
	if err := json.Unmarshal(st, &perm); err != nil {
		t.Fatalf("no invoke permission added: %v", err)
	}
	if perm["Principal"] != "cognito-idp.amazonaws.com" || perm["Action"] != "lambda:InvokeFunction" || perm["SourceArn"] != orig["Arn"] {
		t.Errorf("permission = %v", perm)
	}

	// Attaching again is a no-op that succeeds: the permission exists.
	plan, err = attach.Prepare(ctx, cog.Client(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 0 {
		t.Errorf("second attach changes %v", plan.Changes)
	}
	if err := attach.Apply(ctx, cog.Client(), lam.Client(), req, plan); err != nil {
		t.Fatalf("second attach: %v", err)
	}
}

// The server resets what an update leaves out, as Cognito does: a naive
// update with only LambdaConfig loses the pool's settings. This is what
// the round-trip test above guards against.
func TestNaiveUpdateResetsSettings(t *testing.T) {
	cog := awsfake.NewCognitoPoolSettings(t, loadPool(t))
	_, err := cog.Client().UpdateUserPool(context.Background(), &cip.UpdateUserPoolInput{
		UserPoolId:   aws.String(poolID),
		LambdaConfig: &types.LambdaConfigType{DefineAuthChallenge: aws.String(fnARN)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := cog.Settings()
	for _, k := range []string{"MfaConfiguration", "Policies", "EmailConfiguration", "UserPoolTags", "DeletionProtection"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s survived an update that left it out; the fake must reset it", k)
		}
	}
}

func TestDryRunPlanChangesNothing(t *testing.T) {
	cog := awsfake.NewCognitoPoolSettings(t, loadPool(t))
	plan, err := attach.Prepare(context.Background(), cog.Client(), attachReq("pre-token=V2_0,define-auth"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"+ LambdaConfig.DefineAuthChallenge: " + fnARN,
		"+ LambdaConfig.PreTokenGenerationConfig: " + fnARN + " (V2_0)",
	}
	if !reflect.DeepEqual(plan.Changes, want) {
		t.Errorf("changes = %q\nwant %q", plan.Changes, want)
	}
	if plan.Kept < 15 {
		t.Errorf("kept %d settings, want every set one", plan.Kept)
	}
	for _, op := range cog.Ops() {
		if op != "DescribeUserPool" {
			t.Errorf("a plan called %s", op)
		}
	}
}

func TestRefusals(t *testing.T) {
	pool := func() *types.UserPoolType {
		return &types.UserPoolType{
			Id:           aws.String(poolID),
			Arn:          aws.String("arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + poolID),
			LambdaConfig: &types.LambdaConfigType{PostConfirmation: aws.String(theirs)},
		}
	}
	for _, c := range []struct {
		name string
		pool *types.UserPoolType
		req  attach.Request
		want string
	}{
		{"occupied slot", pool(), attachReq("post-confirmation"), "LambdaConfig.PostConfirmation already invokes " + theirs},
		{"sender without key", pool(), attachReq("email-sender"), "LambdaConfig.KMSKeyID"},
		{"function not an ARN", pool(), attach.Request{UserPoolID: poolID, FunctionARN: "my-fn", Choices: attachReq("define-auth").Choices}, "--function must be the function's ARN"},
		{"settings that disagree", func() *types.UserPoolType {
			p := pool()
			p.AdminCreateUserConfig = &types.AdminCreateUserConfigType{UnusedAccountValidityDays: 7}
			p.Policies = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{TemporaryPasswordValidityDays: 3}}
			return p
		}(), attachReq("define-auth"), "setting AdminCreateUserConfig.UnusedAccountValidityDays"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := attach.MakePlan(c.pool, c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	// --replace takes the occupied slot; the nearest accepted request.
	req := attachReq("post-confirmation")
	req.Replace = true
	if _, err := attach.MakePlan(pool(), req); err != nil {
		t.Errorf("with Replace: %v", err)
	}
	req = attachReq("email-sender")
	req.KMSKeyID = "arn:aws:kms:us-east-1:123456789012:key/k"
	if _, err := attach.MakePlan(pool(), req); err != nil {
		t.Errorf("sender with key: %v", err)
	}
}

func TestParseTriggers(t *testing.T) {
	c, err := attach.ParseTriggers("pre-token=V3_0, define-auth,inbound-federation")
	if err != nil {
		t.Fatal(err)
	}
	if c[0].Trigger.Name != "pre-token-generation" || c[0].Version != "V3_0" || c[2].Version != "V1_0" {
		t.Errorf("parsed %+v", c)
	}
	if c, _ := attach.ParseTriggers("pre-token"); c[0].Version != "V1_0" {
		t.Errorf("pre-token defaults to %q, want Cognito's default V1_0", c[0].Version)
	}
	for in, want := range map[string]string{
		"":                  "no trigger named",
		"pre-tokens":        "unknown trigger",
		"pre-token=V4_0":    "takes version V1_0 or V2_0 or V3_0",
		"define-auth=V1_0":  "takes no version",
		"pre-auth,pre-auth": "named twice",
		"email-sender=V2_0": "takes version V1_0",
	} {
		if _, err := attach.ParseTriggers(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTriggers(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestDetachRemovesOnlyItsTriggersAndPermission(t *testing.T) {
	ctx := context.Background()
	orig := loadPool(t)
	cog := awsfake.NewCognitoPoolSettings(t, loadPool(t))
	lam := awsfake.NewLambdaPolicy(t)
	req := attachReq("pre-token=V2_0,define-auth")
	plan, err := attach.Prepare(ctx, cog.Client(), req)
	if err != nil {
		t.Fatal(err)
	}
	if err := attach.Apply(ctx, cog.Client(), lam.Client(), req, plan); err != nil {
		t.Fatal(err)
	}

	// Detach everything that points to the function, including a slot it
	// does not hold (post-confirmation is someone else's).
	det := attachReq("pre-token,define-auth,post-confirmation")
	det.Detach = true
	plan, err = attach.Prepare(ctx, cog.Client(), det)
	if err != nil {
		t.Fatal(err)
	}
	if err := attach.Apply(ctx, cog.Client(), lam.Client(), det, plan); err != nil {
		t.Fatal(err)
	}
	got := cog.Settings()
	if !reflect.DeepEqual(got, orig) {
		t.Errorf("after attach and detach the pool differs:\n got %v\nwant %v", got["LambdaConfig"], orig["LambdaConfig"])
	}
	if n := len(lam.Statements(fnARN)); n != 0 {
		t.Errorf("%d permission statements left after detach", n)
	}
}
