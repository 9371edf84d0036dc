package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// TestBuild synthesizes both stacks: the whole stack with every concern,
// and the app's own pool with only the features it attached.
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	for _, h := range []string{"customauth", "tenancy", "migration", "messages", "authevents"} {
		if err := os.MkdirAll(filepath.Join(dir, h), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, h, "bootstrap"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	c, a, err := build(app, cognitrigcdk.Prebuilt(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedKeys(c.Functions); !slices.Equal(got, []string{"authevents", "customauth", "messages", "tenancy"}) {
		t.Errorf("whole stack functions %v", got)
	}
	if got := sortedKeys(a.Functions); !slices.Equal(got, []string{"authevents", "customauth", "migration", "tenancy"}) {
		t.Errorf("own pool functions %v, want no messages function", got)
	}
	own := assertions.Template_FromStack(awscdk.Stack_Of(a.Construct), nil)
	own.ResourceCountIs(jsii.String("AWS::Cognito::UserPool"), jsii.Number(1))
	own.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(4))
	own.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(4)) // challenges, tenancy, migration, audit
	own.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), &map[string]any{
		"LambdaConfig": map[string]any{
			"PreTokenGenerationConfig": map[string]any{"LambdaVersion": "V3_0", "LambdaArn": assertions.Match_AnyValue()},
			"UserMigration":            assertions.Match_AnyValue(),
			"DefineAuthChallenge":      assertions.Match_AnyValue(),
			"PreAuthentication":        assertions.Match_AnyValue(),
		},
	})
	whole := assertions.Template_FromStack(awscdk.Stack_Of(c.Construct), nil)
	whole.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(4))

	// Issue 13 §3: the legacy client secret reaches the migration function
	// as its secret's ARN, read at start-up; neither template holds a
	// secret or a dynamic reference resolved into a function's
	// configuration.
	own.HasResourceProperties(jsii.String("AWS::Lambda::Function"), &map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"COGNITRIG_LEGACY_CLIENT_SECRET_ARN":   assertions.Match_AnyValue(),
			"COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN": assertions.Match_AnyValue(),
			"COGNITRIG_LEGACY_CLIENT_SECRET":       assertions.Match_Absent(),
			"COGNITRIG_LEGACY_NAME_KEY":            assertions.Match_Absent(),
		})},
	})
	for name, tmpl := range map[string]assertions.Template{"own pool": own, "whole stack": whole} {
		raw, err := json.Marshal(tmpl.ToJSON())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "{{resolve:") {
			t.Errorf("the %s template holds a dynamic reference", name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
