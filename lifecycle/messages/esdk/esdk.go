// Package esdk decrypts the code that Amazon Cognito sends to the custom
// email and SMS sender triggers. Cognito encrypts the code with the AWS
// Encryption SDK under the KMS key named in the user pool's LambdaConfig
// (KMSKeyID); Codec decrypts it with the official AWS Encryption SDK for Go.
//
// In production use NewKMS with the pool's key. NewRawAES uses a local AES
// key instead, so that tests and local runs need neither KMS nor a network.
package esdk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	sdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	sdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// Codec encrypts and decrypts AWS Encryption SDK messages with one keyring.
// It implements messages.Decrypter. A Codec is safe for concurrent use.
type Codec struct {
	client  *sdk.Client
	keyring mpltypes.IKeyring
	context map[string]string
}

// Option configures a Codec.
type Option func(*Codec)

// RequireContext makes Decrypt refuse a message whose encryption context
// lacks any of the given pairs. Use it to pin the messages to one user pool
// when Cognito's encryption context is known for the pool.
func RequireContext(pairs map[string]string) Option {
	return func(c *Codec) { c.context = pairs }
}

// New returns a Codec for any keyring of the AWS Cryptographic Material
// Providers Library.
func New(keyring mpltypes.IKeyring, opts ...Option) (*Codec, error) {
	if keyring == nil {
		return nil, errors.New("esdk: nil keyring")
	}
	// Cognito's documented decrypt examples allow messages without key
	// commitment, so decryption must too; encryption still commits.
	policy := mpltypes.ESDKCommitmentPolicyRequireEncryptAllowDecrypt
	client, err := sdk.NewClient(sdktypes.AwsEncryptionSdkConfig{CommitmentPolicy: &policy})
	if err != nil {
		return nil, fmt.Errorf("esdk: create client: %w", err)
	}
	c := &Codec{client: client, keyring: keyring}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// NewKMS returns a Codec that decrypts with the KMS key keyID (a key ARN),
// the key set as KMSKeyID in the user pool's LambdaConfig. The function's
// role needs kms:Decrypt on it.
func NewKMS(ctx context.Context, client *kms.Client, keyID string, opts ...Option) (*Codec, error) {
	if client == nil || keyID == "" {
		return nil, errors.New("esdk: NewKMS needs a KMS client and the key ARN of the user pool's custom sender key")
	}
	mp, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
	if err != nil {
		return nil, fmt.Errorf("esdk: create material providers: %w", err)
	}
	kr, err := mp.CreateAwsKmsKeyring(ctx, mpltypes.CreateAwsKmsKeyringInput{KmsClient: client, KmsKeyId: keyID})
	if err != nil {
		return nil, fmt.Errorf("esdk: create KMS keyring for %s: %w", keyID, clean(err))
	}
	return New(kr, opts...)
}

// NewRawAES returns a Codec with a raw AES-GCM keyring: key is 16, 24 or 32
// bytes; namespace and name identify the key in the message and must match
// between encryption and decryption. It needs no network: use it in tests.
func NewRawAES(key []byte, namespace, name string, opts ...Option) (*Codec, error) {
	var alg mpltypes.AesWrappingAlg
	switch len(key) {
	case 16:
		alg = mpltypes.AesWrappingAlgAlgAes128GcmIv12Tag16
	case 24:
		alg = mpltypes.AesWrappingAlgAlgAes192GcmIv12Tag16
	case 32:
		alg = mpltypes.AesWrappingAlgAlgAes256GcmIv12Tag16
	default:
		return nil, fmt.Errorf("esdk: AES key is %d bytes; want 16, 24 or 32", len(key))
	}
	if namespace == "" || name == "" {
		return nil, errors.New("esdk: a raw AES keyring needs a key namespace and name")
	}
	mp, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
	if err != nil {
		return nil, fmt.Errorf("esdk: create material providers: %w", err)
	}
	kr, err := mp.CreateRawAesKeyring(context.Background(), mpltypes.CreateRawAesKeyringInput{
		KeyNamespace: namespace, KeyName: name, WrappingKey: key, WrappingAlg: alg,
	})
	if err != nil {
		return nil, fmt.Errorf("esdk: create raw AES keyring: %w", clean(err))
	}
	return New(kr, opts...)
}

// Decrypt decrypts an AWS Encryption SDK message (the base64-decoded code of
// a custom sender event). The error says why it failed, never the content.
func (c *Codec) Decrypt(ctx context.Context, ciphertext []byte) (plaintext []byte, err error) {
	if len(ciphertext) == 0 {
		return nil, &Error{Op: "decrypt", Err: errors.New("empty message")}
	}
	// The SDK is generated code and has been seen to panic on malformed
	// input (an empty message); a bad event must fail, not crash the function.
	defer func() {
		if v := recover(); v != nil {
			plaintext, err = nil, &Error{Op: "decrypt", Err: fmt.Errorf("malformed message (the SDK panicked with a %T)", v)}
		}
	}()
	out, err := c.client.Decrypt(ctx, sdktypes.DecryptInput{
		Ciphertext: ciphertext, Keyring: c.keyring, EncryptionContext: c.context,
	})
	if err != nil {
		return nil, &Error{Op: "decrypt", Err: clean(err)}
	}
	return out.Plaintext, nil
}

// Encrypt encrypts plaintext as Cognito does, with an optional encryption
// context. Tests and local runs use it to make custom sender events.
func (c *Codec) Encrypt(ctx context.Context, plaintext []byte, encryptionContext map[string]string) ([]byte, error) {
	out, err := c.client.Encrypt(ctx, sdktypes.EncryptInput{
		Plaintext: plaintext, Keyring: c.keyring, EncryptionContext: encryptionContext,
	})
	if err != nil {
		return nil, &Error{Op: "encrypt", Err: clean(err)}
	}
	return out.Ciphertext, nil
}

// Error is an encryption or decryption failure.
type Error struct {
	Op  string // "encrypt" or "decrypt"
	Err error
}

func (e *Error) Error() string { return "esdk: " + e.Op + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// clean gives the SDK's generated exceptions, whose Error methods print a
// nil code pointer, a readable message while keeping them for errors.As.
func clean(err error) error {
	if err == nil {
		return nil
	}
	return &sdkError{msg: describe(err), err: err}
}

func describe(err error) string {
	var sdkErr sdktypes.AwsEncryptionSdkException
	var mplErr mpltypes.AwsCryptographicMaterialProvidersException
	var list mpltypes.CollectionOfErrors
	switch {
	case errors.As(err, &list):
		parts := make([]string, 0, len(list.ListOfErrors))
		for _, e := range list.ListOfErrors {
			parts = append(parts, describe(e))
		}
		msg := strings.TrimSuffix(strings.SplitN(list.Message, ". ", 2)[0], ".")
		return msg + ": " + strings.Join(parts, "; ")
	case errors.As(err, &sdkErr):
		return strings.TrimSpace(sdkErr.Message)
	case errors.As(err, &mplErr):
		return strings.TrimSpace(mplErr.Message)
	default:
		// Other generated exceptions (the primitives library's) print the
		// same nil code pointer before their message.
		return strings.ReplaceAll(err.Error(), "%!s(*string=<nil>): ", "")
	}
}

type sdkError struct {
	msg string
	err error
}

func (e *sdkError) Error() string { return e.msg }
func (e *sdkError) Unwrap() error { return e.err }
