package kmssigner_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// fakeKMS is a local server that speaks the KMS JSON 1.1 protocol for
// GenerateMac and VerifyMac with real HMAC-SHA-256, one random secret per
// key, as KMS does for HMAC_256 keys.
type fakeKMS struct {
	srv *httptest.Server

	mu       sync.Mutex
	keys     map[string][]byte // key ID or alias -> secret
	disabled map[string]bool
	calls    map[string]int      // operation -> requests that reached it
	grants   map[string][]string // operation -> grant tokens of the last request
	problems []string            // protocol violations by the client
	// failStatus and failType, when set, answer every request with that
	// error.
	failStatus int
	failType   string
	// tamper, when set, edits every successful response.
	tamper func(op string, resp map[string]any)
}

const (
	fakeRegion  = "eu-west-1"
	fakeAccount = "111122223333"
)

// startFakeKMS starts a fake KMS on 127.0.0.1 that knows keyIDs.
func startFakeKMS(keyIDs ...string) *fakeKMS {
	f := &fakeKMS{keys: map[string][]byte{}, disabled: map[string]bool{}, calls: map[string]int{}, grants: map[string][]string{}}
	for _, id := range keyIDs {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		f.keys[id] = secret
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// newFakeKMS starts a fake KMS for a test and, at its end, fails the test
// if the client broke the protocol.
func newFakeKMS(t testing.TB, keyIDs ...string) *fakeKMS {
	t.Helper()
	f := startFakeKMS(keyIDs...)
	t.Cleanup(func() {
		f.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, p := range f.problems {
			t.Errorf("fake KMS: %s", p)
		}
	})
	return f
}

func (f *fakeKMS) Close() { f.srv.Close() }

// client returns the real SDK client pointed at the fake, without retries.
func (f *fakeKMS) client() *kms.Client {
	return kms.New(kms.Options{
		Region:           fakeRegion,
		BaseEndpoint:     aws.String(f.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

func (f *fakeKMS) failWith(status int, errType string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failStatus, f.failType = status, errType
}

func (f *fakeKMS) disable(keyID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disabled[keyID] = true
}

func (f *fakeKMS) setTamper(fn func(op string, resp map[string]any)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tamper = fn
}

func (f *fakeKMS) callCount(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fakeKMS) lastGrants(op string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.grants[op]
}

// macRequest holds the fields of GenerateMacRequest and VerifyMacRequest.
type macRequest struct {
	KeyId        string
	MacAlgorithm string
	Message      []byte // base64 in JSON
	Mac          []byte
	GrantTokens  []string
	DryRun       bool
}

func (f *fakeKMS) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	problem := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		f.problems = append(f.problems, msg)
		writeError(w, http.StatusBadRequest, "ValidationException", msg)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		problem("request %s %s, want POST /", r.Method, r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		problem("Content-Type %q, want application/x-amz-json-1.1", ct)
		return
	}
	if a := r.Header.Get("Authorization"); !strings.HasPrefix(a, "AWS4-HMAC-SHA256 Credential=test/") || !strings.Contains(a, "/"+fakeRegion+"/kms/aws4_request") {
		problem("Authorization %q is not a SigV4 signature for kms in %s", a, fakeRegion)
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if !ok || (op != "GenerateMac" && op != "VerifyMac") {
		problem("X-Amz-Target %q is not TrentService.GenerateMac or TrentService.VerifyMac", r.Header.Get("X-Amz-Target"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		problem("read body: %v", err)
		return
	}
	var req macRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		problem("%s body: %v", op, err)
		return
	}
	f.calls[op]++
	f.grants[op] = req.GrantTokens
	if f.failType != "" {
		writeError(w, f.failStatus, f.failType, "the fake KMS was told to fail")
		return
	}
	switch {
	case req.KeyId == "":
		writeError(w, 400, "ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
		return
	case len(req.Message) < 1 || len(req.Message) > 4096:
		writeError(w, 400, "ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and 4096")
		return
	case op == "VerifyMac" && (len(req.Mac) < 1 || len(req.Mac) > 6144):
		writeError(w, 400, "ValidationException", "1 validation error detected: Value at 'mac' failed to satisfy constraint: Member must have length between 1 and 6144")
		return
	}
	secret, known := f.keys[req.KeyId]
	arn := "arn:aws:kms:" + fakeRegion + ":" + fakeAccount + ":key/" + req.KeyId
	switch {
	case !known:
		writeError(w, 400, "NotFoundException", "Key '"+arn+"' does not exist")
		return
	case f.disabled[req.KeyId]:
		writeError(w, 400, "DisabledException", arn+" is disabled.")
		return
	case req.MacAlgorithm != "HMAC_SHA_256":
		writeError(w, 400, "InvalidKeyUsageException", "Supported MAC algorithms for key "+arn+" are [HMAC_SHA_256]")
		return
	}
	m := hmac.New(sha256.New, secret)
	m.Write(req.Message)
	mac := m.Sum(nil)
	resp := map[string]any{"KeyId": arn, "MacAlgorithm": req.MacAlgorithm}
	if op == "GenerateMac" {
		resp["Mac"] = mac // base64 in JSON
	} else {
		if !hmac.Equal(mac, req.Mac) {
			writeError(w, 400, "KMSInvalidMacException", "")
			return
		}
		resp["MacValid"] = true
	}
	if f.tamper != nil {
		f.tamper(op, resp)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(resp)
}

func writeError(w http.ResponseWriter, status int, errType, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": errType, "message": msg})
}
