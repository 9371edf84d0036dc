package cognitrigcdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// The cdk-nag findings (AwsSolutions and Serverless packs) that the
// construct leaves on purpose, each suppressed on the one resource it
// concerns, never stack-wide. The package documentation lists them.
const (
	reasonSyncDLQ = "Cognito invokes this function synchronously for every trigger it serves and shows the answer (or the error) " +
		"to the caller, which retries; a dead-letter queue applies only to asynchronous invocations " +
		"(AWS: Amazon Cognito \"Using Lambda triggers\"; AWS Lambda \"Asynchronous invocation\"), so it would never receive anything."
	reasonSecretRotation = "The master key derives the keys of outstanding one-time codes, magic links and invitation tokens, and the " +
		"functions read it once at start-up: a scheduled rotation would invalidate every one of them and leave running " +
		"containers on the old key. Rotate it deliberately (put a new value, then let containers recycle)."
	reasonNameKeyRotation = "The name key keys the digests that stand for unconfirmed user names in migration records and logs, " +
		"and the function reads it at deployment: a scheduled rotation would split one name's records across keys. " +
		"Rotate it deliberately, between migrations."
	reasonPlusPlan = "The feature plan is the pool owner's choice (UserPool.FeaturePlan, default ESSENTIALS, which pre token " +
		"generation version 2 needs); PLUS with threat protection costs per monthly active user and is available by setting it."
	reasonMFA = "MFA stays OPTIONAL (TOTP): the custom authentication sequence (COGNITRIG_AUTH_SEQUENCE, e.g. password then " +
		"email one-time code) is the second factor, and Cognito's own MFA does not apply to CUSTOM_AUTH; REQUIRED cannot " +
		"be undone on an existing pool."
	reasonIdentityPrefix = "The wildcard is the object key below the caller's own prefix, " +
		"${cognito-identity.amazonaws.com:sub}/*: each identity reaches only its own objects in this one bucket " +
		"(AWS: Amazon Cognito identity pools \"IAM roles\", policy variables)."
	reasonDLQRedrive = "This queue is itself the dead-letter queue of the custom-sender function: nothing consumes it " +
		"automatically, so there is no receive count to redrive on; operators read it (its alarm notifies them) and " +
		"resend, and a further queue would only move the lost messages farther from them."
	reasonTracingOff = "Active tracing is on by default; the owner turned it off with Functions.DisableTracing " +
		"(X-Ray charges per recorded trace)."
	reasonXRay = "Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, " +
		"so the Resource must be * (AWS: \"Actions, resources, and condition keys for AWS X-Ray\"); these two actions only " +
		"write trace data."
)

// suppress adds a cdk-nag suppression with its reason to the CloudFormation
// resource of c (its default child, when c is an L2 construct); appliesTo
// narrows a granular rule such as AwsSolutions-IAM5 to the findings named.
func suppress(c constructs.IConstruct, rule, reason string, appliesTo ...string) {
	target := c
	if child := c.Node().DefaultChild(); child != nil {
		target = child
	}
	s := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		a := make([]any, len(appliesTo))
		for i, x := range appliesTo {
			a[i] = x
		}
		s.AppliesTo = &a
	}
	cdknag.NagSuppressions_AddResourceSuppressions(target, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(false))
}

// suppressXRayWildcard suppresses AwsSolutions-IAM5 for Resource::* on the
// role's default policy, where CDK puts the X-Ray statement of a traced
// function (and nothing with a wildcard besides).
func suppressXRayWildcard(role awsiam.Role) {
	if p := role.Node().TryFindChild(jsii.String("DefaultPolicy")); p != nil {
		suppress(p, "AwsSolutions-IAM5", reasonXRay, "Resource::*")
	}
}
