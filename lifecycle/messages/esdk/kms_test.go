package esdk_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cognitrig/cognitrig/lifecycle/messages/esdk"
)

const keyARN = "arn:aws:kms:us-east-1:123456789012:key/0b7a4c1e-1111-4222-8333-944455556666"

// kmsServer speaks KMS's JSON 1.1 protocol for GenerateDataKey and Decrypt,
// the two calls a KMS keyring makes. Data keys are wrapped by table lookup.
type kmsServer struct {
	mu       sync.Mutex
	keys     map[string][]byte // ciphertext blob -> data key
	decrypts int
}

func (s *kmsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		KeyID          string `json:"KeyId"`
		NumberOfBytes  int
		CiphertextBlob []byte
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch r.Header.Get("X-Amz-Target") {
	case "TrentService.GenerateDataKey":
		if in.KeyID != keyARN {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"NotFoundException","message":"key not found"}`))
			return
		}
		key := make([]byte, in.NumberOfBytes)
		_, _ = rand.Read(key)
		blob := make([]byte, 48)
		_, _ = rand.Read(blob)
		s.keys[string(blob)] = key
		_ = json.NewEncoder(w).Encode(map[string]any{"KeyId": keyARN, "Plaintext": key, "CiphertextBlob": blob})
	case "TrentService.Decrypt":
		s.decrypts++
		key, ok := s.keys[string(in.CiphertextBlob)]
		if !ok || in.KeyID != keyARN {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"InvalidCiphertextException","message":"bad blob"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"KeyId": keyARN, "Plaintext": key, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"})
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"UnknownOperationException"}`))
	}
}

// TestKMSKeyring runs the production path, NewKMS, against a local KMS.
func TestKMSKeyring(t *testing.T) {
	srv := &kmsServer{keys: map[string][]byte{}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(ts.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
	ctx := context.Background()
	c, err := esdk.NewKMS(ctx, client, keyARN)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := c.Encrypt(ctx, []byte("551177"), map[string]string{"userpool-id": "us-east-1_X"})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := c.Decrypt(ctx, ct)
	if err != nil || string(pt) != "551177" || srv.decrypts != 1 {
		t.Fatalf("got %q, %v after %d KMS decrypts", pt, err, srv.decrypts)
	}
	// A message whose data key KMS cannot unwrap fails, without the code.
	srv.keys = map[string][]byte{}
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
