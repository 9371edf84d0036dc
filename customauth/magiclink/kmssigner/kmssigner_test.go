package kmssigner_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/cognitrig/cognitrig/customauth/magiclink/kmssigner"
	"github.com/cognitrig/cognitrig/internal/awsfake"
)

const (
	keyID      = "1234abcd-12ab-34cd-56ef-1234567890ab"
	otherKeyID = "alias/other-magic-link"
)

var msg = []byte("cognitrig-magiclink-v1.eyJ2IjoxLCJwb29sIjoic2VjcmV0LXRva2VuLXBheWxvYWQifQ")

// newFakeKMS starts a local KMS (awsfake.KMS) with HMAC_256 keys for
// clients in eu-west-1; at the test's end it fails the test if the client
// broke the protocol.
func newFakeKMS(t testing.TB, keyIDs ...string) *awsfake.KMS {
	t.Helper()
	return awsfake.NewKMSIn(t, "eu-west-1").AddHMACKey(keyIDs...)
}

func newSigner(t testing.TB, client kmssigner.API, id string, grants ...string) *kmssigner.Signer {
	t.Helper()
	s, err := kmssigner.New(kmssigner.Config{Client: client, KeyID: id, GrantTokens: grants})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sign(t *testing.T, s *kmssigner.Signer, m []byte) []byte {
	t.Helper()
	sig, err := s.Sign(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func verify(t *testing.T, s *kmssigner.Signer, m, sig []byte) bool {
	t.Helper()
	ok, err := s.Verify(context.Background(), m, sig)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return ok
}

// assertNoSecrets fails if err's text holds msg or sig in any usual
// encoding.
func assertNoSecrets(t *testing.T, err error, secrets ...[]byte) {
	t.Helper()
	text := err.Error()
	for _, s := range secrets {
		if len(s) == 0 {
			continue
		}
		for _, form := range []string{string(s), base64.StdEncoding.EncodeToString(s), base64.RawURLEncoding.EncodeToString(s), hex.EncodeToString(s)} {
			if strings.Contains(text, form) {
				t.Fatalf("error %q holds a secret (%q)", text, form)
			}
		}
	}
}

func TestSignThenVerify(t *testing.T) {
	f := newFakeKMS(t, keyID)
	s := newSigner(t, f.Client(), keyID)
	sig := sign(t, s, msg)
	if len(sig) != kmssigner.MACSize {
		t.Fatalf("MAC has %d bytes, want %d", len(sig), kmssigner.MACSize)
	}
	if !verify(t, s, msg, sig) {
		t.Fatal("a MAC from GenerateMac did not verify")
	}
	if again := sign(t, s, msg); !bytes.Equal(again, sig) {
		t.Fatal("HMAC of the same message differs")
	}
	if f.Count("GenerateMac") != 2 || f.Count("VerifyMac") != 1 {
		t.Fatalf("calls: GenerateMac %d, VerifyMac %d; want 2 and 1", f.Count("GenerateMac"), f.Count("VerifyMac"))
	}
}

func TestTamperedIsFalse(t *testing.T) {
	f := newFakeKMS(t, keyID, otherKeyID)
	s := newSigner(t, f.Client(), keyID)
	sig := sign(t, s, msg)

	tamperedMsg := bytes.Clone(msg)
	tamperedMsg[len(tamperedMsg)-1] ^= 1
	tamperedSig := bytes.Clone(sig)
	tamperedSig[0] ^= 0x80
	other := newSigner(t, f.Client(), otherKeyID)

	for name, c := range map[string]struct {
		s        *kmssigner.Signer
		msg, sig []byte
	}{
		"tampered message":  {s, tamperedMsg, sig},
		"tampered MAC":      {s, msg, tamperedSig},
		"MAC of other key":  {other, msg, sig},
		"truncated message": {s, msg[:len(msg)-1], sig},
	} {
		before := f.Count("VerifyMac")
		if verify(t, c.s, c.msg, c.sig) {
			t.Errorf("%s: verified", name)
		}
		// KMS answered KMSInvalidMacException: the check was made.
		if f.Count("VerifyMac") != before+1 {
			t.Errorf("%s: VerifyMac was not called", name)
		}
	}
}

func TestMacValidFalseIsFalse(t *testing.T) {
	f := newFakeKMS(t, keyID)
	s := newSigner(t, f.Client(), keyID)
	sig := sign(t, s, msg)
	f.Tamper(func(op string, resp map[string]any) { resp["MacValid"] = false })
	if verify(t, s, msg, sig) {
		t.Fatal("MacValid false verified")
	}
}

func TestMalformedSigMakesNoCall(t *testing.T) {
	f := newFakeKMS(t, keyID)
	s := newSigner(t, f.Client(), keyID)
	sig := sign(t, s, msg)
	for name, c := range map[string]struct{ msg, sig []byte }{
		"nil MAC":           {msg, nil},
		"empty MAC":         {msg, []byte{}},
		"short MAC":         {msg, sig[:kmssigner.MACSize-1]},
		"long MAC":          {msg, append(bytes.Clone(sig), 0)},
		"65-byte MAC":       {msg, make([]byte, 65)},
		"huge MAC":          {msg, make([]byte, 10000)},
		"empty message":     {nil, sig},
		"over-long message": {make([]byte, kmssigner.MaxMessageSize+1), sig},
	} {
		if verify(t, s, c.msg, c.sig) {
			t.Errorf("%s: verified", name)
		}
	}
	if n := f.Count("VerifyMac"); n != 0 {
		t.Fatalf("VerifyMac called %d times for malformed input", n)
	}
}

func TestMessageSizeLimit(t *testing.T) {
	f := newFakeKMS(t, keyID)
	s := newSigner(t, f.Client(), keyID)
	largest := bytes.Repeat([]byte("a"), kmssigner.MaxMessageSize)
	sig := sign(t, s, largest)
	if !verify(t, s, largest, sig) {
		t.Fatal("a 4096-byte message did not verify")
	}
	calls := f.Count("GenerateMac")
	for _, m := range [][]byte{nil, append(bytes.Clone(largest), 'b')} {
		_, err := s.Sign(context.Background(), m)
		if err == nil {
			t.Fatalf("Sign of %d bytes: no error", len(m))
		}
		if !strings.Contains(err.Error(), "4096") || !strings.Contains(err.Error(), keyID) {
			t.Errorf("error %q does not say the limit and the key", err)
		}
		assertNoSecrets(t, err, m)
	}
	if f.Count("GenerateMac") != calls {
		t.Fatal("GenerateMac called for a message KMS refuses")
	}
}

func TestKMSFailuresAreErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(f *awsfake.KMS)
		keyID string
		code  string // the KMS error code wrapped, if KMS answered
	}{
		{"unknown key", func(*awsfake.KMS) {}, "alias/no-such-key", "NotFoundException"},
		{"disabled key", func(f *awsfake.KMS) { f.Disable(keyID) }, keyID, "DisabledException"},
		{"access denied", func(f *awsfake.KMS) { f.FailWith(400, "AccessDeniedException") }, keyID, "AccessDeniedException"},
		{"throttled", func(f *awsfake.KMS) { f.FailWith(400, "ThrottlingException") }, keyID, "ThrottlingException"},
		{"internal error", func(f *awsfake.KMS) { f.FailWith(500, "KMSInternalException") }, keyID, "KMSInternalException"},
		{"wrong key usage", func(f *awsfake.KMS) { f.FailWith(400, "InvalidKeyUsageException") }, keyID, "InvalidKeyUsageException"},
		{"unreachable", func(f *awsfake.KMS) { f.Close() }, keyID, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeKMS(t, keyID)
			good := newSigner(t, f.Client(), keyID)
			sig := sign(t, good, msg)
			c.setup(f)
			s := newSigner(t, f.Client(), c.keyID)

			_, err := s.Sign(context.Background(), msg)
			checkKMSError(t, err, "GenerateMac", c.keyID, c.code, msg)

			ok, err := s.Verify(context.Background(), msg, sig)
			if ok {
				t.Fatal("Verify reported true with an error")
			}
			checkKMSError(t, err, "VerifyMac", c.keyID, c.code, msg, sig)
		})
	}
}

func checkKMSError(t *testing.T, err error, op, key, code string, secrets ...[]byte) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", op)
	}
	text := err.Error()
	for _, part := range []string{"KMS " + op, key, "kms:" + op} {
		if !strings.Contains(text, part) {
			t.Errorf("%s error %q does not name %q", op, text, part)
		}
	}
	var apiErr smithy.APIError
	switch {
	case code == "" && errors.As(err, &apiErr):
		t.Errorf("%s error %q wraps a KMS answer, want a network error", op, text)
	case code != "" && (!errors.As(err, &apiErr) || apiErr.ErrorCode() != code):
		t.Errorf("%s error %q does not wrap KMS's %s", op, text, code)
	}
	assertNoSecrets(t, err, secrets...)
}

func TestShortMACFromKMSIsAnError(t *testing.T) {
	f := newFakeKMS(t, keyID)
	s := newSigner(t, f.Client(), keyID)
	f.Tamper(func(op string, resp map[string]any) {
		if op == "GenerateMac" {
			resp["Mac"] = []byte("short")
		}
	})
	if _, err := s.Sign(context.Background(), msg); err == nil || !strings.Contains(err.Error(), "HMAC_256") {
		t.Fatalf("err = %v, want one about the MAC size and key spec", err)
	}
}

func TestGrantTokensForwarded(t *testing.T) {
	f := newFakeKMS(t, keyID)
	grants := []string{"grant-token-1", "grant-token-2"}
	s := newSigner(t, f.Client(), keyID, grants...)
	grants[0] = "changed after New"
	sig := sign(t, s, msg)
	verify(t, s, msg, sig)
	want := []string{"grant-token-1", "grant-token-2"}
	for _, op := range []string{"GenerateMac", "VerifyMac"} {
		if got := f.LastGrants(op); !slices.Equal(got, want) {
			t.Errorf("%s grant tokens = %q, want %q", op, got, want)
		}
	}

	plain := newSigner(t, f.Client(), keyID)
	verify(t, plain, msg, sign(t, plain, msg))
	for _, op := range []string{"GenerateMac", "VerifyMac"} {
		if got := f.LastGrants(op); got != nil {
			t.Errorf("%s without grant tokens sent %q", op, got)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	f := newFakeKMS(t, keyID)
	s := newSigner(t, f.Client(), keyID)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			m := append(bytes.Clone(msg), byte(i))
			sig, err := s.Sign(context.Background(), m)
			if err == nil {
				var ok bool
				ok, err = s.Verify(context.Background(), m, sig)
				if err == nil && !ok {
					err = errors.New("round trip did not verify")
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	client := &kms.Client{}
	tooMany := make([]string, kmssigner.MaxGrantTokens+1)
	for i := range tooMany {
		tooMany[i] = "g"
	}
	for name, c := range map[string]struct {
		cfg  kmssigner.Config
		want string
	}{
		"no client":         {kmssigner.Config{KeyID: keyID}, "Client is required"},
		"no key":            {kmssigner.Config{Client: client}, "KeyID is required"},
		"blank key":         {kmssigner.Config{Client: client, KeyID: "  "}, "KeyID is required"},
		"padded key":        {kmssigner.Config{Client: client, KeyID: " " + keyID}, "space"},
		"long key":          {kmssigner.Config{Client: client, KeyID: strings.Repeat("k", 2049)}, "at most 2048"},
		"too many grants":   {kmssigner.Config{Client: client, KeyID: keyID, GrantTokens: tooMany}, "at most 10"},
		"empty grant token": {kmssigner.Config{Client: client, KeyID: keyID, GrantTokens: []string{"g", ""}}, "GrantTokens[1] is empty"},
	} {
		s, err := kmssigner.New(c.cfg)
		if err == nil || s != nil {
			t.Errorf("%s: New = %v, %v; want an error", name, s, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not say %q", name, err, c.want)
		}
	}
	s, err := kmssigner.New(kmssigner.Config{Client: client, KeyID: "arn:aws:kms:eu-west-1:111122223333:alias/magic-link"})
	if err != nil || s.KeyID() != "arn:aws:kms:eu-west-1:111122223333:alias/magic-link" {
		t.Fatalf("New with an alias ARN = %v, %v", s, err)
	}
}

// stubAPI answers in process, to measure the Signer's own overhead.
type stubAPI struct{ mac []byte }

func (s stubAPI) GenerateMac(context.Context, *kms.GenerateMacInput, ...func(*kms.Options)) (*kms.GenerateMacOutput, error) {
	return &kms.GenerateMacOutput{Mac: s.mac}, nil
}

func (s stubAPI) VerifyMac(context.Context, *kms.VerifyMacInput, ...func(*kms.Options)) (*kms.VerifyMacOutput, error) {
	return &kms.VerifyMacOutput{MacValid: true}, nil
}

func BenchmarkSignVerifyOverhead(b *testing.B) {
	benchSignVerify(b, newSigner(b, stubAPI{mac: make([]byte, kmssigner.MACSize)}, keyID))
}

func BenchmarkSignVerifySDK(b *testing.B) {
	f := newFakeKMS(b, keyID)
	benchSignVerify(b, newSigner(b, f.Client(), keyID))
}

// benchSignVerify signs and checks one message per iteration.
func benchSignVerify(b *testing.B, s *kmssigner.Signer) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sig, err := s.Sign(ctx, msg)
		if err != nil {
			b.Fatal(err)
		}
		if ok, err := s.Verify(ctx, msg, sig); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
