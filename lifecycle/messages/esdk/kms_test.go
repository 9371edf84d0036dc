package esdk_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/lifecycle/messages/esdk"
)

// TestKMSKeyring runs the production path, NewKMS, against a local KMS.
func TestKMSKeyring(t *testing.T) {
	srv := awsfake.NewKMS(t)
	client := srv.Client()
	ctx := context.Background()
	c, err := esdk.NewKMS(ctx, client, awsfake.KMSKeyARN)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := c.Encrypt(ctx, []byte("551177"), map[string]string{"userpool-id": "us-east-1_X"})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := c.Decrypt(ctx, ct)
	if err != nil || string(pt) != "551177" || srv.Count("Decrypt") != 1 {
		t.Fatalf("got %q, %v after %d KMS decrypts", pt, err, srv.Count("Decrypt"))
	}
	// A message whose data key KMS cannot unwrap fails, without the code.
	srv.ForgetDataKeys()
	_, err = c.Decrypt(ctx, ct)
	if err == nil || strings.Contains(err.Error(), "551177") {
		t.Fatalf("unknown data key: %v", err)
	}
	// A message for another keyring is not decrypted with this one.
	other, _ := esdk.NewRawAES(bytes.Repeat([]byte{9}, 32), "ns", "k")
	raw, _ := other.Encrypt(ctx, []byte("551177"), nil)
	if _, err := c.Decrypt(ctx, raw); err == nil {
		t.Fatal("decrypted a raw-AES message with the KMS keyring")
	}
}
