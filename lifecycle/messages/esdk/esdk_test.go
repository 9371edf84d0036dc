package esdk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/messages/esdk"
)

func TestRawAESRoundTrip(t *testing.T) {
	for _, size := range []int{16, 24, 32} {
		c, err := esdk.NewRawAES(bytes.Repeat([]byte{1}, size), "ns", "key")
		if err != nil {
			t.Fatal(err)
		}
		ct, err := c.Encrypt(context.Background(), []byte("482913"), map[string]string{"userpool-id": "us-east-1_X"})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(ct, []byte("482913")) {
			t.Fatal("ciphertext holds the plaintext")
		}
		pt, err := c.Decrypt(context.Background(), ct)
		if err != nil || string(pt) != "482913" {
			t.Fatalf("AES-%d: got %q, %v", size*8, pt, err)
		}
	}
}

func TestDecryptRefusesWhatItCannotTrust(t *testing.T) {
	ctx := context.Background()
	c, _ := esdk.NewRawAES(bytes.Repeat([]byte{1}, 32), "ns", "key")
	ct, err := c.Encrypt(ctx, []byte("482913"), map[string]string{"userpool-id": "us-east-1_X"})
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := esdk.NewRawAES(bytes.Repeat([]byte{2}, 32), "ns", "key")
	otherName, _ := esdk.NewRawAES(bytes.Repeat([]byte{1}, 32), "ns", "other")
	pinned, _ := esdk.NewRawAES(bytes.Repeat([]byte{1}, 32), "ns", "key",
		esdk.RequireContext(map[string]string{"userpool-id": "us-east-1_OTHER"}))
	tampered := bytes.Clone(ct)
	tampered[len(tampered)/2] ^= 1
	cases := []struct {
		name  string
		codec *esdk.Codec
		in    []byte
	}{
		{"other key", otherKey, ct},
		{"other key name", otherName, ct},
		{"other encryption context", pinned, ct},
		{"tampered", c, tampered},
		{"truncated", c, ct[:len(ct)/2]},
		{"garbage", c, []byte("not a message")},
		{"empty", c, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := tc.codec.Decrypt(ctx, tc.in)
			if err == nil {
				t.Fatalf("decrypted to %q", pt)
			}
			var e *esdk.Error
			if !errors.As(err, &e) || e.Op != "decrypt" {
				t.Fatalf("error %T %v is not an *esdk.Error", err, err)
			}
			if strings.Contains(err.Error(), "482913") || strings.Contains(err.Error(), "%!") {
				t.Fatalf("bad error text: %q", err)
			}
		})
	}
	good, _ := esdk.NewRawAES(bytes.Repeat([]byte{1}, 32), "ns", "key",
		esdk.RequireContext(map[string]string{"userpool-id": "us-east-1_X"}))
	if pt, err := good.Decrypt(ctx, ct); err != nil || string(pt) != "482913" {
		t.Fatalf("matching context: %q %v", pt, err)
	}
}

func TestConstructorsCheckArguments(t *testing.T) {
	if _, err := esdk.NewRawAES(make([]byte, 20), "ns", "k"); err == nil || !strings.Contains(err.Error(), "20 bytes") {
		t.Errorf("bad key size: %v", err)
	}
	if _, err := esdk.NewRawAES(make([]byte, 32), "", "k"); err == nil {
		t.Error("empty namespace accepted")
	}
	if _, err := esdk.NewKMS(context.Background(), nil, ""); err == nil {
		t.Error("NewKMS without client accepted")
	}
	if _, err := esdk.New(nil); err == nil {
		t.Error("nil keyring accepted")
	}
}

// A raw AES keyring makes the custom-sender code round trip without KMS.
func Example() {
	ctx := context.Background()
	codec, err := esdk.NewRawAES(bytes.Repeat([]byte{7}, 32), "tests", "custom-sender")
	if err != nil {
		panic(err)
	}
	ciphertext, _ := codec.Encrypt(ctx, []byte("123456"), nil) // what Cognito does with KMS
	plain, err := codec.Decrypt(ctx, ciphertext)
	fmt.Println(string(plain), err)
	// Output: 123456 <nil>
}
