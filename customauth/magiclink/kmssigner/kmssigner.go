package kmssigner

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/cognitrig/cognitrig/customauth/magiclink"
)

// Limits of the KMS API and of the MAC algorithm.
const (
	// MaxMessageSize is the largest message GenerateMac and VerifyMac take.
	MaxMessageSize = 4096
	// MACSize is the size of an HMAC_SHA_256 MAC.
	MACSize = sha256.Size
	// MaxGrantTokens is the most grant tokens KMS takes in one request.
	MaxGrantTokens = 10
	// maxKeyIDLength is the longest KeyId KMS takes.
	maxKeyIDLength = 2048
)

// API is the part of the KMS client that a Signer calls; *kms.Client
// implements it.
type API interface {
	GenerateMac(ctx context.Context, in *kms.GenerateMacInput, optFns ...func(*kms.Options)) (*kms.GenerateMacOutput, error)
	VerifyMac(ctx context.Context, in *kms.VerifyMacInput, optFns ...func(*kms.Options)) (*kms.VerifyMacOutput, error)
}

// Config configures a Signer.
type Config struct {
	// Client calls KMS, usually kms.NewFromConfig(cfg).
	Client API
	// KeyID names the HMAC_256 KMS key: a key ID, key ARN, alias name
	// ("alias/magic-link") or alias ARN. Use a key in another account
	// by its ARN.
	KeyID string
	// GrantTokens are sent with every request, for permission that comes
	// from a grant not yet eventually consistent; usually empty.
	GrantTokens []string
}

// Signer is a magiclink.Signer whose key stays in AWS KMS. Create it with
// New; it is safe for concurrent use.
type Signer struct {
	client API
	keyID  string
	grants []string
}

var _ magiclink.Signer = (*Signer)(nil)

// New checks cfg and returns a Signer. It makes no call to KMS.
func New(cfg Config) (*Signer, error) {
	switch {
	case cfg.Client == nil:
		return nil, errors.New("kmssigner: Config.Client is required (a KMS client, e.g. kms.NewFromConfig(awsConfig))")
	case strings.TrimSpace(cfg.KeyID) == "":
		return nil, errors.New("kmssigner: Config.KeyID is required (the key ID, key ARN or alias of an HMAC_256 KMS key)")
	case cfg.KeyID != strings.TrimSpace(cfg.KeyID):
		return nil, fmt.Errorf("kmssigner: Config.KeyID %q has leading or trailing space", cfg.KeyID)
	case len(cfg.KeyID) > maxKeyIDLength:
		return nil, fmt.Errorf("kmssigner: Config.KeyID has %d bytes, KMS takes at most %d", len(cfg.KeyID), maxKeyIDLength)
	case len(cfg.GrantTokens) > MaxGrantTokens:
		return nil, fmt.Errorf("kmssigner: Config.GrantTokens has %d tokens, KMS takes at most %d", len(cfg.GrantTokens), MaxGrantTokens)
	}
	for i, g := range cfg.GrantTokens {
		if g == "" {
			return nil, fmt.Errorf("kmssigner: Config.GrantTokens[%d] is empty", i)
		}
	}
	var grants []string
	if len(cfg.GrantTokens) > 0 {
		grants = append(grants, cfg.GrantTokens...)
	}
	return &Signer{client: cfg.Client, keyID: cfg.KeyID, grants: grants}, nil
}

// KeyID returns the configured key, as given.
func (s *Signer) KeyID() string { return s.keyID }

// Sign implements magiclink.Signer with KMS GenerateMac (HMAC_SHA_256). msg
// must have 1 to MaxMessageSize bytes.
func (s *Signer) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	if len(msg) == 0 || len(msg) > MaxMessageSize {
		return nil, fmt.Errorf("kmssigner: cannot sign a %d-byte message with key %q: KMS GenerateMac takes 1 to %d bytes", len(msg), s.keyID, MaxMessageSize)
	}
	out, err := s.client.GenerateMac(ctx, &kms.GenerateMacInput{
		KeyId:        &s.keyID,
		MacAlgorithm: types.MacAlgorithmSpecHmacSha256,
		Message:      msg,
		GrantTokens:  s.grants,
	})
	if err != nil {
		return nil, s.fail("GenerateMac", err)
	}
	if len(out.Mac) != MACSize {
		return nil, fmt.Errorf("kmssigner: KMS GenerateMac with key %q returned a %d-byte MAC, want %d; check that the key spec is HMAC_256", s.keyID, len(out.Mac), MACSize)
	}
	return out.Mac, nil
}

// Verify implements magiclink.Signer with KMS VerifyMac (HMAC_SHA_256). A
// sig that is not MACSize bytes, or a msg that Sign would not have signed
// (empty or over MaxMessageSize bytes), is (false, nil) without a call to
// KMS: no signature of this Signer matches it, and a forged link must not
// cost a request.
func (s *Signer) Verify(ctx context.Context, msg, sig []byte) (bool, error) {
	if len(sig) != MACSize || len(msg) == 0 || len(msg) > MaxMessageSize {
		return false, nil
	}
	out, err := s.client.VerifyMac(ctx, &kms.VerifyMacInput{
		KeyId:        &s.keyID,
		MacAlgorithm: types.MacAlgorithmSpecHmacSha256,
		Message:      msg,
		Mac:          sig,
		GrantTokens:  s.grants,
	})
	if invalid := (*types.KMSInvalidMacException)(nil); errors.As(err, &invalid) {
		return false, nil // KMS answers a wrong MAC with this error
	}
	if err != nil {
		return false, s.fail("VerifyMac", err)
	}
	return out.MacValid, nil
}

// fail wraps a KMS error. It names the operation and the key, never the
// message or the MAC: those are link tokens.
func (s *Signer) fail(op string, err error) error {
	return fmt.Errorf("kmssigner: KMS %s with key %q failed; check that the function's role may call kms:%s on this key, that the key is enabled with key spec HMAC_256, and that KMS is reachable: %w",
		op, s.keyID, op, err)
}
