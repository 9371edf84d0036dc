package sendercode

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/lifecycle/messages/esdk"
)

// Encrypt returns code as a custom sender event carries it: an AWS
// Encryption SDK message under awsfake.KMSKeyARN of the KMS server at kmsURL
// (awsfake.NewKMS), base64-encoded.
func Encrypt(t testing.TB, kmsURL, code string) string {
	t.Helper()
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(kmsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
	ctx := context.Background()
	codec, err := esdk.NewKMS(ctx, client, awsfake.KMSKeyARN)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := codec.Encrypt(ctx, []byte(code), map[string]string{"userpool-id": "us-east-1_EXAMPLE1"})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}
