package awsfake

import (
	"bytes"
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
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// KMSKeyARN is the one key of NewKMS.
const KMSKeyARN = "arn:aws:kms:us-east-1:123456789012:key/0b7a4c1e-1111-4222-8333-944455556666"

// MACKeyID is the one key of NewKMSMAC.
const MACKeyID = "alias/cognitrig-magic-link"

// KMSAccount is the account of the ARNs a KMS server builds for keys added
// by key ID or alias.
const KMSAccount = "111122223333"

// KMS is a local AWS KMS API (JSON 1.1: POST /, X-Amz-Target
// TrentService.<Operation>, errors as {"__type", "message"}) for the calls
// cognitrig makes: GenerateMac and VerifyMac with HMAC_256 keys (real
// HMAC-SHA-256 under a random secret a key, as KMS computes them; package
// kmssigner), and GenerateDataKey and Decrypt with symmetric keys (the
// calls of an AWS Encryption SDK KMS keyring, package esdk; data keys are
// wrapped by table lookup). It checks the protocol as strictly as KMS: a
// request that is not a POST / signed with SigV4 for kms in Region, of one
// of those operations, with only the fields of its request type, is a
// ValidationException, and with NewKMSIn it fails the test at its end.
// Answers name keys by ARN. The limits on Message, Mac and NumberOfBytes
// are those of the AWS KMS API Reference ("GenerateMac", "VerifyMac",
// "GenerateDataKey"). FailWith, Disable and Tamper inject failures; Count
// and LastGrants show what callers sent. A process reaches it with
// AWS_ENDPOINT_URL_KMS. Its methods are safe for concurrent use.
type KMS struct {
	Server
	Region string

	srv      *httptest.Server
	mu       sync.Mutex
	keys     map[string]kmsKey  // key ID, alias or ARN as added → key
	dataKeys map[string]dataKey // ciphertext blob → data key
	disabled map[string]bool
	counts   map[string]int      // operation → requests that reached it
	grants   map[string][]string // operation → grant tokens of the last request
	problems []string            // protocol violations by the client
	// failStatus and failType, when set, answer every request with that
	// error.
	failStatus int
	failType   string
	tamper     func(op string, resp map[string]any)
}

type kmsKey struct {
	hmac   bool
	secret []byte
}

// dataKey is a data key GenerateDataKey handed out, and its key.
type dataKey struct {
	keyID string
	plain []byte
}

// StartKMS starts a KMS server without keys for clients in region; the
// caller closes it. Tests use NewKMSIn, which also reports protocol
// violations.
func StartKMS(region string) *KMS {
	k := &KMS{Region: region, keys: map[string]kmsKey{}, dataKeys: map[string]dataKey{}, disabled: map[string]bool{},
		counts: map[string]int{}, grants: map[string][]string{}}
	k.srv = httptest.NewServer(http.HandlerFunc(k.serve))
	k.URL = k.srv.URL
	return k
}

// NewKMSIn starts a KMS server without keys for clients in region; it
// stops when t ends, and then fails t if a client broke the protocol.
func NewKMSIn(t testing.TB, region string) *KMS {
	k := StartKMS(region)
	t.Cleanup(func() {
		k.Close()
		k.mu.Lock()
		defer k.mu.Unlock()
		for _, p := range k.problems {
			t.Errorf("local KMS: %s", p)
		}
	})
	return k
}

// NewKMS starts a KMS server in Region with one symmetric key, KMSKeyARN,
// for GenerateDataKey and Decrypt; it stops when t ends.
func NewKMS(t testing.TB) *KMS {
	return NewKMSIn(t, Region).AddSymmetricKey(KMSKeyARN)
}

// NewKMSMAC starts a KMS server in Region with one HMAC_256 key, MACKeyID,
// for GenerateMac and VerifyMac; it stops when t ends.
func NewKMSMAC(t testing.TB) *KMS {
	return NewKMSIn(t, Region).AddHMACKey(MACKeyID)
}

// AddHMACKey adds HMAC_256 keys, by key ID, alias or ARN, each with its
// own random secret, and returns k.
func (k *KMS) AddHMACKey(ids ...string) *KMS { return k.add(true, ids) }

// AddSymmetricKey adds SYMMETRIC_DEFAULT keys, by key ID, alias or ARN,
// and returns k.
func (k *KMS) AddSymmetricKey(ids ...string) *KMS { return k.add(false, ids) }

func (k *KMS) add(isHMAC bool, ids []string) *KMS {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, id := range ids {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		k.keys[id] = kmsKey{hmac: isHMAC, secret: secret}
	}
	return k
}

// Close stops the server: later calls fail to connect.
func (k *KMS) Close() { k.srv.Close() }

// Client returns a KMS client of the server in its Region, without retries.
func (k *KMS) Client() *kms.Client {
	return kms.New(kms.Options{Region: k.Region, BaseEndpoint: aws.String(k.URL), Credentials: testCredentials, RetryMaxAttempts: 1})
}

// FailWith makes the server answer every later request with the error
// errType and status (e.g. 400 and "ThrottlingException").
func (k *KMS) FailWith(status int, errType string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.failStatus, k.failType = status, errType
}

// Disable disables a key: later requests for it fail with
// DisabledException.
func (k *KMS) Disable(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.disabled[id] = true
}

// ForgetDataKeys drops every data key handed out, so that Decrypt of a
// message made before fails with InvalidCiphertextException.
func (k *KMS) ForgetDataKeys() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.dataKeys = map[string]dataKey{}
}

// Tamper makes fn edit every later successful answer before it is sent.
func (k *KMS) Tamper(fn func(op string, resp map[string]any)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.tamper = fn
}

// Count returns how many well-formed requests of op reached the server.
func (k *KMS) Count(op string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.counts[op]
}

// LastGrants returns the grant tokens of the last request of op.
func (k *KMS) LastGrants(op string) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.grants[op]
}

// Ops lists the operations called so far, in order.
func (k *KMS) Ops() []string {
	var ops []string
	for _, c := range k.Calls() {
		ops = append(ops, c.Op)
	}
	return ops
}

// kmsRequest holds the fields of the request types of the operations
// served (GenerateMacRequest, VerifyMacRequest, GenerateDataKeyRequest,
// DecryptRequest); []byte fields are base64 in JSON.
type kmsRequest struct {
	KeyID               string `json:"KeyId"`
	MacAlgorithm        string
	Message             []byte
	Mac                 []byte
	NumberOfBytes       int
	KeySpec             string
	CiphertextBlob      []byte
	EncryptionAlgorithm string
	EncryptionContext   map[string]string
	GrantTokens         []string
	DryRun              bool
	Recipient           json.RawMessage
}

var kmsOps = map[string]bool{"GenerateMac": true, "VerifyMac": true, "GenerateDataKey": true, "Decrypt": true}

func (k *KMS) serve(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	op, opOK := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	k.record(op, body)
	k.mu.Lock()
	defer k.mu.Unlock()
	problem := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		k.problems = append(k.problems, msg)
		kmsError(w, http.StatusBadRequest, "ValidationException", msg)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		problem("request %s %s, want POST /", r.Method, r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		problem("Content-Type %q, want application/x-amz-json-1.1", ct)
		return
	}
	if a := r.Header.Get("Authorization"); !strings.HasPrefix(a, "AWS4-HMAC-SHA256 Credential=test/") || !strings.Contains(a, "/"+k.Region+"/kms/aws4_request") {
		problem("Authorization %q is not a SigV4 signature for kms in %s", a, k.Region)
		return
	}
	if !opOK || !kmsOps[op] {
		problem("X-Amz-Target %q is not an operation of the local KMS", r.Header.Get("X-Amz-Target"))
		return
	}
	if readErr != nil {
		problem("read body: %v", readErr)
		return
	}
	var req kmsRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		problem("%s body: %v", op, err)
		return
	}
	k.counts[op]++
	k.grants[op] = req.GrantTokens
	if k.failType != "" {
		kmsError(w, k.failStatus, k.failType, "the local KMS was told to fail")
		return
	}
	resp, status, errType, msg := k.answer(op, req)
	if errType != "" {
		kmsError(w, status, errType, msg)
		return
	}
	if k.tamper != nil {
		k.tamper(op, resp)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(resp)
}

// answer serves a well-formed request; k.mu is held.
func (k *KMS) answer(op string, req kmsRequest) (resp map[string]any, status int, errType, msg string) {
	const bad = http.StatusBadRequest
	if op == "Decrypt" {
		dk, ok := k.dataKeys[string(req.CiphertextBlob)]
		switch {
		case !ok:
			return nil, bad, "InvalidCiphertextException", ""
		case req.KeyID != "" && req.KeyID != dk.keyID:
			return nil, bad, "IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation."
		case k.disabled[dk.keyID]:
			return nil, bad, "DisabledException", k.arn(dk.keyID) + " is disabled."
		}
		return map[string]any{"KeyId": k.arn(dk.keyID), "Plaintext": dk.plain, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}, 0, "", ""
	}
	switch {
	case req.KeyID == "":
		return nil, bad, "ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
	case op != "GenerateDataKey" && (len(req.Message) < 1 || len(req.Message) > 4096):
		return nil, bad, "ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and 4096"
	case op == "VerifyMac" && (len(req.Mac) < 1 || len(req.Mac) > 6144):
		return nil, bad, "ValidationException", "1 validation error detected: Value at 'mac' failed to satisfy constraint: Member must have length between 1 and 6144"
	case op == "GenerateDataKey" && (req.NumberOfBytes < 1 || req.NumberOfBytes > 1024) && req.KeySpec == "":
		return nil, bad, "ValidationException", "1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024"
	}
	key, known := k.keys[req.KeyID]
	arn := k.arn(req.KeyID)
	switch {
	case !known:
		return nil, bad, "NotFoundException", "Key '" + arn + "' does not exist"
	case k.disabled[req.KeyID]:
		return nil, bad, "DisabledException", arn + " is disabled."
	case op == "GenerateDataKey" && key.hmac:
		return nil, bad, "InvalidKeyUsageException", arn + " key usage is GENERATE_VERIFY_MAC"
	case op != "GenerateDataKey" && (!key.hmac || req.MacAlgorithm != "HMAC_SHA_256"):
		return nil, bad, "InvalidKeyUsageException", "Supported MAC algorithms for key " + arn + " are [HMAC_SHA_256]"
	}
	if op == "GenerateDataKey" {
		n := req.NumberOfBytes
		if n == 0 {
			n = map[string]int{"AES_128": 16}[req.KeySpec]
			if n == 0 {
				n = 32
			}
		}
		plain, blob := make([]byte, n), make([]byte, 48)
		_, _ = rand.Read(plain)
		_, _ = rand.Read(blob)
		k.dataKeys[string(blob)] = dataKey{keyID: req.KeyID, plain: plain}
		return map[string]any{"KeyId": arn, "Plaintext": plain, "CiphertextBlob": blob}, 0, "", ""
	}
	m := hmac.New(sha256.New, key.secret)
	m.Write(req.Message)
	mac := m.Sum(nil)
	resp = map[string]any{"KeyId": arn, "MacAlgorithm": req.MacAlgorithm}
	if op == "GenerateMac" {
		resp["Mac"] = mac
		return resp, 0, "", ""
	}
	if !hmac.Equal(mac, req.Mac) {
		return nil, bad, "KMSInvalidMacException", ""
	}
	resp["MacValid"] = true
	return resp, 0, "", ""
}

// arn names a key as KMS's answers do: by ARN.
func (k *KMS) arn(id string) string {
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	return "arn:aws:kms:" + k.Region + ":" + KMSAccount + ":key/" + id
}

func kmsError(w http.ResponseWriter, status int, errType, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": errType, "message": msg})
}
