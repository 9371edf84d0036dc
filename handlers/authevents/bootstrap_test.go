package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	bt "github.com/cognitrig/cognitrig/handlers/internal/bootstraptest"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestMain(m *testing.M) { bt.Main(m) }

const client = "1example23456789abcdefghij" // the recorded events' app client

// TestBootstrap runs the shipped binary against a local Runtime API,
// DynamoDB and Cognito API, and sends it every recorded event.
func TestBootstrap(t *testing.T) {
	bin := bt.Build(t, ".")
	audit := bt.Table(t, bt.Audit)
	cognito := bt.Cognito(t)
	fn, log := bt.Start(t, bin, append(bt.AWSEnv(map[string]string{"COGNITO_IDENTITY_PROVIDER": cognito.URL}),
		"COGNITRIG_AUDIT_TABLE="+audit,
		"COGNITRIG_ALLOWED_CLIENTS="+client+",another-client",
		"COGNITRIG_IP_DENY=198.51.100.0/24, 2001:db8:bad::/48",
		"COGNITRIG_MFA_ON_NEW_DEVICE=true",
		"COGNITRIG_LOG_LEVEL=debug",
	)...)
	served := []triggers.Trigger{triggers.PreAuthentication, triggers.PostAuthentication}
	for _, name := range triggertest.Names() {
		payload := triggertest.Load(t, name)
		res := bt.Invoke(t, fn, payload)
		if bt.Unserved(t, name, bt.TriggerOf(t, payload), res, served...) {
			continue
		}
		bt.Answer(t, name, payload, res)
	}

	// Policies: an app client not in the list, a denied network.
	other := triggertest.From(t, "PreAuthentication_Authentication").Set("callerContext.clientId", "evil-client").JSON(t)
	if msg := bt.Refusal(t, "other client", bt.Invoke(t, fn, other)); msg != authpolicy.MsgClientRefused {
		t.Errorf("other client: %q", msg)
	}
	denied := triggertest.From(t, "PreAuthentication_Authentication").Set("request.userContextData.ipAddress", "198.51.100.7").JSON(t)
	if msg := bt.Refusal(t, "denied network", bt.Invoke(t, fn, denied)); msg != authpolicy.MsgNetworkRefused {
		t.Errorf("denied network: %q", msg)
	}
	allowed := triggertest.From(t, "PreAuthentication_Authentication").Set("request.userContextData.ipAddress", "203.0.113.9").JSON(t)
	bt.Answer(t, "allowed network", allowed, bt.Invoke(t, fn, allowed))

	// The recorded post-authentication sign-in (and the one above) came
	// from a new device: MFA was turned on, and each sign-in audited.
	if ops := cognito.Ops(); len(ops) == 0 || ops[0] != "AdminSetUserMFAPreference" {
		t.Errorf("Cognito calls %v, want AdminSetUserMFAPreference", ops)
	}
	out, err := dynamotest.Client(t).Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String(audit),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "us-east-1_EXAMPLE1#jdoe"}},
	})
	if err != nil || out.Count != 1 {
		t.Errorf("audit records of jdoe: %v, %v", out, err)
	}
	bt.ExpectCleanRun(t, fn, log)
}

// TestBadConfigurationFailsAtStart: every bad variable is named, and the
// function ends before it asks for an event.
func TestBadConfigurationFailsAtStart(t *testing.T) {
	bin := bt.Build(t, ".")
	out := bt.StartFails(t, bin, append(bt.AWSEnv(nil),
		"AWS_REGION=us-east-1",
		"COGNITRIG_LOG_LEVEL=loud",
		"COGNITRIG_IP_ALLOW=10.0.0.0/8,not-a-network",
		"COGNITRIG_IP_DENY=300.1.2.3",
		"COGNITRIG_MFA_ON_NEW_DEVICE=perhaps",
		"COGNITRIG_AUDIT_RETENTION_DAYS=0",
	)...)
	for _, name := range []string{"COGNITRIG_LOG_LEVEL", "COGNITRIG_AUDIT_TABLE", "COGNITRIG_IP_ALLOW", "COGNITRIG_IP_DENY", "COGNITRIG_MFA_ON_NEW_DEVICE", "COGNITRIG_AUDIT_RETENTION_DAYS"} {
		if !strings.Contains(out, name) {
			t.Errorf("the error does not name %s:\n%s", name, out)
		}
	}
	out = bt.StartFails(t, bin, "COGNITRIG_AUDIT_TABLE=audit") // no AWS_REGION
	if !strings.Contains(out, "AWS_REGION") {
		t.Errorf("missing region: %s", out)
	}
}

// TestNoTemplateExecution: this function sends no templated message, so
// it must not link template execution (see bt.NoTemplateExecution).
func TestNoTemplateExecution(t *testing.T) {
	bt.NoTemplateExecution(t, bt.Build(t, "."))
}
