package cognitrigcdk_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// TestAlarmTopic: without Alarms.Topic the construct creates a topic,
// encrypted with a rotated key of its own that CloudWatch may use, TLS
// only, and every alarm notifies it; with Alarms.Topic it creates none.
func TestAlarmTopic(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{})
	topics := s.ofType("AWS::SNS::Topic")
	if len(topics) != 1 || s.c.AlarmTopic == nil {
		t.Fatalf("%d topics, AlarmTopic %v: want one, exposed", len(topics), s.c.AlarmTopic)
	}
	topicID := keys(topics)[0]
	if s.idOf(s.c.AlarmTopic) != topicID {
		t.Errorf("AlarmTopic is %s, want %s", s.idOf(s.c.AlarmTopic), topicID)
	}
	key := getAttArn(topics[topicID].Properties["KmsMasterKeyId"])
	if key == "" {
		t.Fatalf("topic KmsMasterKeyId %v, want the alarm key's ARN", topics[topicID].Properties["KmsMasterKeyId"])
	}
	kp := s.res[key].Properties
	if kp["EnableKeyRotation"] != true {
		t.Errorf("alarm key rotation %v, want on", kp["EnableKeyRotation"])
	}
	if doc := fmt.Sprint(kp["KeyPolicy"]); !strings.Contains(doc, "cloudwatch.amazonaws.com") || !strings.Contains(doc, "kms:GenerateDataKey*") {
		t.Errorf("alarm key policy does not let CloudWatch encrypt: %s", doc)
	}
	var ssl, cloudwatch bool
	for _, pol := range s.ofType("AWS::SNS::TopicPolicy") {
		doc := fmt.Sprint(pol.Properties["PolicyDocument"])
		ssl = ssl || strings.Contains(doc, "aws:SecureTransport:false") && strings.Contains(doc, "Deny")
		cloudwatch = cloudwatch || strings.Contains(doc, "cloudwatch.amazonaws.com") && strings.Contains(doc, "sns:Publish") &&
			strings.Contains(doc, ":cloudwatch:eu-west-1:111122223333:alarm:*")
	}
	if !ssl || !cloudwatch {
		t.Errorf("topic policy: TLS enforced %v, CloudWatch may publish %v; want both", ssl, cloudwatch)
	}
	checkAlarms(t, s, 1, 0)

	// A topic of one's own: nothing created, every alarm notifies it.
	own := synth(t, cognitrigcdk.Props{}, func(stack awscdk.Stack, p *cognitrigcdk.Props) {
		p.Alarms.Topic = awssns.Topic_FromTopicArn(stack, jsii.String("Ops"), jsii.String("arn:aws:sns:eu-west-1:111122223333:ops"))
	})
	if n := len(own.ofType("AWS::SNS::Topic")) + len(own.ofType("AWS::KMS::Key")); n != 0 {
		t.Errorf("%d topics and keys created with Alarms.Topic given", n)
	}
	for id, a := range own.ofType("AWS::CloudWatch::Alarm") {
		for _, actions := range []string{"AlarmActions", "OKActions"} {
			if got := fmt.Sprint(a.Properties[actions]); got != "[arn:aws:sns:eu-west-1:111122223333:ops]" {
				t.Errorf("alarm %s: %s %s, want the given topic", id, actions, got)
			}
		}
	}
}

// TestDeadLetterQueue: the custom-sender function, which Cognito invokes
// asynchronously, sends what it failed to deliver to an encrypted, TLS-only
// queue kept 14 days, with an alarm on it; synchronous functions have none.
func TestDeadLetterQueue(t *testing.T) {
	for _, shape := range []cognitrigcdk.Shape{cognitrigcdk.SingleFunction, cognitrigcdk.FunctionPerConcern} {
		t.Run(shape.String(), func(t *testing.T) {
			s := synth(t, cognitrigcdk.Props{Shape: shape, EmailFrom: "no-reply@example.com", CustomSenders: &cognitrigcdk.CustomSendersProps{}})
			queues := s.ofType("AWS::SQS::Queue")
			if len(queues) != 1 || s.c.DeadLetterQueue == nil {
				t.Fatalf("%d queues, DeadLetterQueue %v: want one, exposed", len(queues), s.c.DeadLetterQueue)
			}
			qid := s.idOf(s.c.DeadLetterQueue)
			q := queues[qid].Properties
			if q["MessageRetentionPeriod"] != 1209600.0 || q["SqsManagedSseEnabled"] != true {
				t.Errorf("queue retention %v, SQS-managed encryption %v; want 14 days, on", q["MessageRetentionPeriod"], q["SqsManagedSseEnabled"])
			}
			var ssl bool
			for _, pol := range s.ofType("AWS::SQS::QueuePolicy") {
				doc := fmt.Sprint(pol.Properties["PolicyDocument"])
				ssl = ssl || strings.Contains(doc, "aws:SecureTransport:false") && strings.Contains(doc, "Deny")
			}
			if !ssl {
				t.Error("the queue accepts requests without TLS")
			}
			sender := map[cognitrigcdk.Shape]string{cognitrigcdk.SingleFunction: "all", cognitrigcdk.FunctionPerConcern: "messages"}[shape]
			for h, fn := range s.c.Functions {
				dl, _ := s.res[s.logicalID(fn)].Properties["DeadLetterConfig"].(map[string]any)
				if target := getAttArn(dl["TargetArn"]); (target == qid) != (h == sender) {
					t.Errorf("%s: dead-letter target %v, want the queue only on the %s function", h, dl["TargetArn"], sender)
				}
			}
			var alarmed bool
			for _, a := range s.ofType("AWS::CloudWatch::Alarm") {
				dims := fmt.Sprint(a.Properties["Dimensions"])
				alarmed = alarmed || a.Properties["Namespace"] == "AWS/SQS" && strings.Contains(dims, qid)
			}
			if !alarmed {
				t.Error("no alarm on the dead-letter queue")
			}
			if got := policyActions(t, s)[s.logicalID(s.c.Functions[sender])]; !slices.Contains(got, "sqs:SendMessage") {
				t.Errorf("%s may not send to its dead-letter queue: %v", sender, got)
			}
		})
	}
	// Without custom senders every function is synchronous: no queue.
	s := synth(t, cognitrigcdk.Props{Shape: cognitrigcdk.FunctionPerConcern, EmailFrom: "no-reply@example.com"})
	if n := len(s.ofType("AWS::SQS::Queue")); n != 0 || s.c.DeadLetterQueue != nil {
		t.Errorf("%d queues without CustomSenders, want none", n)
	}
}

// TestTracing: active tracing by default, with the X-Ray writes on * and
// nothing else on *; Functions.DisableTracing turns it off.
func TestTracing(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{})
	fn := s.res[s.logicalID(s.c.Functions["all"])].Properties
	if got := fmt.Sprint(fn["TracingConfig"]); got != "map[Mode:Active]" {
		t.Errorf("TracingConfig %s, want Active", got)
	}
	var xray bool
	for _, st := range statements(t, s) {
		if slices.Contains(st.actions, "xray:PutTraceSegments") {
			xray = true
			if !slices.Equal(st.resources, []string{"*"}) || len(st.actions) != 2 {
				t.Errorf("X-Ray statement %v on %v", st.actions, st.resources)
			}
		}
	}
	if !xray {
		t.Error("the role may not write traces")
	}

	off := synth(t, cognitrigcdk.Props{Functions: cognitrigcdk.FunctionProps{DisableTracing: true}})
	if got := off.res[off.logicalID(off.c.Functions["all"])].Properties["TracingConfig"]; got != nil {
		t.Errorf("TracingConfig %v with DisableTracing", got)
	}
	for _, st := range statements(t, off) {
		if slices.Contains(st.actions, "xray:PutTraceSegments") {
			t.Errorf("X-Ray statement %v with tracing off", st.actions)
		}
	}
}
