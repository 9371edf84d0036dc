package attach

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Trigger is one slot of a user pool's LambdaConfig.
type Trigger struct {
	Name    string // the command-line name, such as "pre-token-generation"
	Field   string // the LambdaConfigType field
	Aliases []string
	// Versions are the LambdaVersion values the slot takes, the first the
	// default; nil for slots without a version.
	Versions []string
}

// Triggers lists the slots in LambdaConfigType ("LambdaConfigType", Amazon
// Cognito API Reference). Pre token generation defaults to V1_0 as Cognito
// does; V2_0 and V3_0 need the Essentials or Plus feature plan ("Pre token
// generation Lambda trigger"). The custom senders and inbound federation
// take V1_0 only.
var Triggers = []Trigger{
	{Name: "pre-sign-up", Field: "PreSignUp", Aliases: []string{"pre-signup"}},
	{Name: "post-confirmation", Field: "PostConfirmation"},
	{Name: "pre-authentication", Field: "PreAuthentication", Aliases: []string{"pre-auth"}},
	{Name: "post-authentication", Field: "PostAuthentication", Aliases: []string{"post-auth"}},
	{Name: "define-auth-challenge", Field: "DefineAuthChallenge", Aliases: []string{"define-auth"}},
	{Name: "create-auth-challenge", Field: "CreateAuthChallenge", Aliases: []string{"create-auth"}},
	{Name: "verify-auth-challenge-response", Field: "VerifyAuthChallengeResponse", Aliases: []string{"verify-auth", "verify-auth-challenge"}},
	{Name: "pre-token-generation", Field: "PreTokenGenerationConfig", Aliases: []string{"pre-token"}, Versions: []string{"V1_0", "V2_0", "V3_0"}},
	{Name: "user-migration", Field: "UserMigration", Aliases: []string{"migration"}},
	{Name: "custom-message", Field: "CustomMessage"},
	{Name: "custom-email-sender", Field: "CustomEmailSender", Aliases: []string{"email-sender"}, Versions: []string{"V1_0"}},
	{Name: "custom-sms-sender", Field: "CustomSMSSender", Aliases: []string{"sms-sender"}, Versions: []string{"V1_0"}},
	{Name: "inbound-federation", Field: "InboundFederation", Versions: []string{"V1_0"}},
}

// Choice is one trigger to attach, with its Lambda version ("" for the
// slot's default).
type Choice struct {
	Trigger Trigger
	Version string
}

// ParseTriggers parses a list such as "pre-token=V2_0,define-auth,create-auth".
// The word "all" is not accepted: a pool's triggers are chosen one by one.
func ParseTriggers(list string) ([]Choice, error) {
	var out []Choice
	seen := map[string]bool{}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, version, _ := strings.Cut(item, "=")
		t, ok := lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown trigger %q; use one of %s", name, names())
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("trigger %s is named twice", t.Name)
		}
		seen[t.Name] = true
		switch {
		case version == "" && t.Versions != nil:
			version = t.Versions[0]
		case version != "" && !slices.Contains(t.Versions, version):
			if t.Versions == nil {
				return nil, fmt.Errorf("trigger %s takes no version, got %q", t.Name, version)
			}
			return nil, fmt.Errorf("trigger %s takes version %s, got %q", t.Name, strings.Join(t.Versions, " or "), version)
		}
		out = append(out, Choice{Trigger: t, Version: version})
	}
	if len(out) == 0 {
		return nil, errors.New("no trigger named; list them, such as pre-token=V2_0,define-auth")
	}
	return out, nil
}

func lookup(name string) (Trigger, bool) {
	for _, t := range Triggers {
		if t.Name == name || slices.Contains(t.Aliases, name) {
			return t, true
		}
	}
	return Trigger{}, false
}

func names() string {
	var n []string
	for _, t := range Triggers {
		n = append(n, t.Name)
	}
	return strings.Join(n, ", ")
}

// Request is what to change: attach (or, with Detach, remove) the chosen
// triggers of the pool to the function.
type Request struct {
	UserPoolID  string
	FunctionARN string // required to attach; to detach, only triggers pointing to it are removed when set
	Choices     []Choice
	// KMSKeyID is the key Cognito encrypts sender codes with; the custom
	// senders need one ("Custom sender Lambda triggers"). Empty keeps the
	// pool's.
	KMSKeyID string
	// Replace allows attaching to a slot that already holds another
	// function; without it Plan refuses and names the slot.
	Replace bool
	Detach  bool
}

// Plan is the checked change: the UpdateUserPool request that writes every
// setting back as it was, with only LambdaConfig changed.
type Plan struct {
	Pool   *types.UserPoolType
	Update *cip.UpdateUserPoolInput
	// Changes lists each LambdaConfig line that changes, "- old" / "+ new".
	Changes []string
	// Kept counts the other settings written back unchanged.
	Kept int
}

// notWritable are settings DescribeUserPool returns that UpdateUserPool
// does not take: they are fixed at creation or are read-only state, so an
// update cannot reset them.
var notWritable = map[string]bool{
	"AliasAttributes": true, "Arn": true, "CreationDate": true, "CustomDomain": true,
	"Domain": true, "EmailConfigurationFailure": true, "EstimatedNumberOfUsers": true,
	"Id": true, "LastModifiedDate": true, "Name": true, "SchemaAttributes": true,
	"SmsConfigurationFailure": true, "Status": true, "UsernameAttributes": true,
	"UsernameConfiguration": true,
}

// renamed maps an UpdateUserPoolInput field to its DescribeUserPool name.
var renamed = map[string]string{"PoolName": "Name"}

// MakePlan builds the update for req from the pool as DescribeUserPool
// returned it. It refuses, naming the setting, when a setting cannot be
// written back unchanged, when a slot already holds another function (unless
// req.Replace), and when a custom sender would have no KMS key.
func MakePlan(pool *types.UserPoolType, req Request) (*Plan, error) {
	if pool == nil || pool.Id == nil {
		return nil, errors.New("the pool description is empty")
	}
	if !req.Detach && !strings.HasPrefix(req.FunctionARN, "arn:") {
		return nil, fmt.Errorf("--function must be the function's ARN, got %q", req.FunctionARN)
	}
	in := &cip.UpdateUserPoolInput{UserPoolId: pool.Id}
	kept, err := copySettings(in, pool)
	if err != nil {
		return nil, err
	}
	before := pool.LambdaConfig
	if before == nil {
		before = &types.LambdaConfigType{}
	}
	after := cloneLambdaConfig(before)
	for _, c := range req.Choices {
		cur := slotARN(after, c.Trigger.Field)
		switch {
		case req.Detach:
			if cur == "" || (req.FunctionARN != "" && cur != req.FunctionARN) {
				continue
			}
			setSlot(after, c.Trigger.Field, "", "")
		default:
			if cur != "" && cur != req.FunctionARN && !req.Replace {
				return nil, fmt.Errorf("LambdaConfig.%s already invokes %s; detach it first, or pass --replace", c.Trigger.Field, cur)
			}
			setSlot(after, c.Trigger.Field, req.FunctionARN, c.Version)
		}
	}
	if req.KMSKeyID != "" {
		after.KMSKeyID = aws.String(req.KMSKeyID)
	}
	if (after.CustomEmailSender != nil || after.CustomSMSSender != nil) && aws.ToString(after.KMSKeyID) == "" {
		return nil, errors.New("LambdaConfig.KMSKeyID: the custom senders need a KMS key to encrypt codes with; pass --kms-key-id")
	}
	in.LambdaConfig = after
	return &Plan{Pool: pool, Update: in, Changes: diff(before, after), Kept: kept}, nil
}

// copySettings copies every field of UpdateUserPoolInput from the pool,
// and counts those that hold a value. A field with no counterpart in the
// description is a setting this build cannot read back, so the update
// would reset it: refuse, naming it.
func copySettings(in *cip.UpdateUserPoolInput, pool *types.UserPoolType) (int, error) {
	dst := reflect.ValueOf(in).Elem()
	src := reflect.ValueOf(pool).Elem()
	kept := 0
	for i := 0; i < dst.NumField(); i++ {
		f := dst.Type().Field(i)
		if !f.IsExported() || f.Name == "UserPoolId" || f.Name == "LambdaConfig" {
			continue
		}
		name := f.Name
		if r, ok := renamed[name]; ok {
			name = r
		}
		sf, ok := src.Type().FieldByName(name)
		if !ok || sf.Type != f.Type {
			return 0, fmt.Errorf("setting %s: DescribeUserPool does not return it in a form UpdateUserPool takes, so an update would reset it; cognitrig refuses to change this pool (update cognitrig, or set the triggers in the console)", f.Name)
		}
		v := src.FieldByIndex(sf.Index)
		dst.Field(i).Set(v)
		if !v.IsZero() {
			kept++
		}
	}
	// A setting the description holds that is neither copied nor known to
	// be fixed is one a newer Cognito added: refuse rather than guess
	// whether the update would keep it.
	copied := map[string]bool{"Name": true, "LambdaConfig": true}
	for i := 0; i < dst.NumField(); i++ {
		copied[dst.Type().Field(i).Name] = true
	}
	for i := 0; i < src.NumField(); i++ {
		f := src.Type().Field(i)
		if f.IsExported() && !copied[f.Name] && !notWritable[f.Name] && !src.Field(i).IsZero() {
			return 0, fmt.Errorf("setting %s: this build of cognitrig does not know whether UpdateUserPool keeps it; update cognitrig, or set the triggers in the console", f.Name)
		}
	}
	if err := checkWriteBack(in); err != nil {
		return 0, err
	}
	return kept, nil
}

// checkWriteBack refuses descriptions that UpdateUserPool would not take
// back as they are.
func checkWriteBack(in *cip.UpdateUserPoolInput) error {
	// "UnusedAccountValidityDays" is deprecated in favour of the password
	// policy's TemporaryPasswordValidityDays ("AdminCreateUserConfigType",
	// Amazon Cognito API Reference); a pool can report both, and an update
	// that sends both with different values is refused by Cognito.
	if a := in.AdminCreateUserConfig; a != nil && a.UnusedAccountValidityDays != 0 &&
		in.Policies != nil && in.Policies.PasswordPolicy != nil &&
		in.Policies.PasswordPolicy.TemporaryPasswordValidityDays != 0 &&
		a.UnusedAccountValidityDays != in.Policies.PasswordPolicy.TemporaryPasswordValidityDays {
		return fmt.Errorf("setting AdminCreateUserConfig.UnusedAccountValidityDays (%d) differs from Policies.PasswordPolicy.TemporaryPasswordValidityDays (%d); Cognito takes only one: make them equal in the console first",
			a.UnusedAccountValidityDays, in.Policies.PasswordPolicy.TemporaryPasswordValidityDays)
	}
	return nil
}

func cloneLambdaConfig(c *types.LambdaConfigType) *types.LambdaConfigType {
	out := *c
	if c.PreTokenGenerationConfig != nil {
		v := *c.PreTokenGenerationConfig
		out.PreTokenGenerationConfig = &v
	}
	if c.CustomEmailSender != nil {
		v := *c.CustomEmailSender
		out.CustomEmailSender = &v
	}
	if c.CustomSMSSender != nil {
		v := *c.CustomSMSSender
		out.CustomSMSSender = &v
	}
	if c.InboundFederation != nil {
		v := *c.InboundFederation
		out.InboundFederation = &v
	}
	return &out
}

// slotARN returns the function a slot invokes, or "".
func slotARN(c *types.LambdaConfigType, field string) string {
	switch field {
	case "PreTokenGenerationConfig":
		if c.PreTokenGenerationConfig != nil {
			return aws.ToString(c.PreTokenGenerationConfig.LambdaArn)
		}
		return aws.ToString(c.PreTokenGeneration)
	case "CustomEmailSender":
		if c.CustomEmailSender != nil {
			return aws.ToString(c.CustomEmailSender.LambdaArn)
		}
	case "CustomSMSSender":
		if c.CustomSMSSender != nil {
			return aws.ToString(c.CustomSMSSender.LambdaArn)
		}
	case "InboundFederation":
		if c.InboundFederation != nil {
			return aws.ToString(c.InboundFederation.LambdaArn)
		}
	default:
		return aws.ToString(reflect.ValueOf(c).Elem().FieldByName(field).Interface().(*string))
	}
	return ""
}

// setSlot points a slot at arn with version, or clears it when arn is "".
func setSlot(c *types.LambdaConfigType, field, arn, version string) {
	var p *string
	if arn != "" {
		p = aws.String(arn)
	}
	switch field {
	case "PreTokenGenerationConfig":
		// "PreTokenGeneration ... This parameter and the
		// PreTokenGenerationConfig property LambdaArn must have the same
		// value" ("LambdaConfigType", Amazon Cognito API Reference).
		c.PreTokenGeneration = p
		c.PreTokenGenerationConfig = nil
		if arn != "" {
			c.PreTokenGenerationConfig = &types.PreTokenGenerationVersionConfigType{LambdaArn: p, LambdaVersion: types.PreTokenGenerationLambdaVersionType(version)}
		}
	case "CustomEmailSender":
		c.CustomEmailSender = nil
		if arn != "" {
			c.CustomEmailSender = &types.CustomEmailLambdaVersionConfigType{LambdaArn: p, LambdaVersion: types.CustomEmailSenderLambdaVersionType(version)}
		}
	case "CustomSMSSender":
		c.CustomSMSSender = nil
		if arn != "" {
			c.CustomSMSSender = &types.CustomSMSLambdaVersionConfigType{LambdaArn: p, LambdaVersion: types.CustomSMSSenderLambdaVersionType(version)}
		}
	case "InboundFederation":
		c.InboundFederation = nil
		if arn != "" {
			c.InboundFederation = &types.InboundFederationLambdaType{LambdaArn: p, LambdaVersion: types.InboundFederationLambdaVersionType(version)}
		}
	default:
		reflect.ValueOf(c).Elem().FieldByName(field).Set(reflect.ValueOf(p))
	}
}

// describeSlot is one LambdaConfig line of the diff.
func describeSlot(c *types.LambdaConfigType, t Trigger) string {
	arn := slotARN(c, t.Field)
	if arn == "" {
		return ""
	}
	v := ""
	switch t.Field {
	case "PreTokenGenerationConfig":
		if c.PreTokenGenerationConfig != nil {
			v = string(c.PreTokenGenerationConfig.LambdaVersion)
		}
	case "CustomEmailSender":
		v = string(c.CustomEmailSender.LambdaVersion)
	case "CustomSMSSender":
		v = string(c.CustomSMSSender.LambdaVersion)
	case "InboundFederation":
		v = string(c.InboundFederation.LambdaVersion)
	}
	if v != "" {
		return fmt.Sprintf("LambdaConfig.%s: %s (%s)", t.Field, arn, v)
	}
	return fmt.Sprintf("LambdaConfig.%s: %s", t.Field, arn)
}

func diff(before, after *types.LambdaConfigType) []string {
	var out []string
	for _, t := range Triggers {
		b, a := describeSlot(before, t), describeSlot(after, t)
		if a == b {
			continue
		}
		if b != "" {
			out = append(out, "- "+b)
		}
		if a != "" {
			out = append(out, "+ "+a)
		}
	}
	if b, a := aws.ToString(before.KMSKeyID), aws.ToString(after.KMSKeyID); a != b {
		if b != "" {
			out = append(out, "- LambdaConfig.KMSKeyID: "+b)
		}
		if a != "" {
			out = append(out, "+ LambdaConfig.KMSKeyID: "+a)
		}
	}
	return out
}

// CognitoAPI is the part of the Cognito user-pool API that attach calls.
type CognitoAPI interface {
	DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, opts ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	UpdateUserPool(ctx context.Context, in *cip.UpdateUserPoolInput, opts ...func(*cip.Options)) (*cip.UpdateUserPoolOutput, error)
}

// LambdaAPI is the part of the Lambda API that attach calls.
type LambdaAPI interface {
	AddPermission(ctx context.Context, in *lambda.AddPermissionInput, opts ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error)
	RemovePermission(ctx context.Context, in *lambda.RemovePermissionInput, opts ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error)
}

// Prepare describes the pool and makes the plan.
func Prepare(ctx context.Context, c CognitoAPI, req Request) (*Plan, error) {
	out, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(req.UserPoolID)})
	if err != nil {
		return nil, fmt.Errorf("describe user pool %s (needs cognito-idp:DescribeUserPool): %w", req.UserPoolID, err)
	}
	return MakePlan(out.UserPool, req)
}

// StatementID is the ID of the permission attach adds to the function, one
// per pool, so that detach removes exactly it.
func StatementID(userPoolID string) string {
	return "cognitrig-" + strings.NewReplacer("_", "-").Replace(userPoolID)
}

// Apply grants the pool the right to invoke the function (when attaching),
// then writes the plan with UpdateUserPool; when detaching, it removes the
// grant after the update, once no trigger of the pool points to the
// function any more. The grant comes first so that the pool never calls a
// function it may not invoke.
func Apply(ctx context.Context, c CognitoAPI, l LambdaAPI, req Request, p *Plan) error {
	if !req.Detach {
		arn := aws.ToString(p.Pool.Arn)
		if arn == "" {
			return errors.New("the pool description has no Arn, which the invoke permission needs as its source ARN")
		}
		_, err := l.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String(req.FunctionARN),
			StatementId:  aws.String(StatementID(req.UserPoolID)),
			Action:       aws.String("lambda:InvokeFunction"),
			Principal:    aws.String("cognito-idp.amazonaws.com"),
			SourceArn:    aws.String(arn),
		})
		var conflict *lambdatypes.ResourceConflictException
		if err != nil && !errors.As(err, &conflict) {
			return fmt.Errorf("grant %s the right to invoke %s (needs lambda:AddPermission): %w", req.UserPoolID, req.FunctionARN, err)
		}
	}
	if _, err := c.UpdateUserPool(ctx, p.Update); err != nil {
		return fmt.Errorf("update user pool %s (needs cognito-idp:UpdateUserPool): %w", req.UserPoolID, err)
	}
	if req.Detach && req.FunctionARN != "" && !invokes(p.Update.LambdaConfig, req.FunctionARN) {
		_, err := l.RemovePermission(ctx, &lambda.RemovePermissionInput{
			FunctionName: aws.String(req.FunctionARN),
			StatementId:  aws.String(StatementID(req.UserPoolID)),
		})
		var missing *lambdatypes.ResourceNotFoundException
		if err != nil && !errors.As(err, &missing) {
			return fmt.Errorf("remove the invoke permission of %s from %s (needs lambda:RemovePermission): %w", req.UserPoolID, req.FunctionARN, err)
		}
	}
	return nil
}

// invokes reports whether any slot of c points to arn.
func invokes(c *types.LambdaConfigType, arn string) bool {
	for _, t := range Triggers {
		if slotARN(c, t.Field) == arn {
			return true
		}
	}
	return false
}
