//go:build bare_esdk

package main

import (
	"context"
	"log"
	"os"

	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// With bare_esdk (opt-in: the untagged build stays the six service
// clients) the baseline also makes at start what a custom sender function
// written straight against the libraries makes: an AWS Encryption SDK
// client and a KMS keyring, with its own KMS client, for the key in
// KEY_ARN, and it decrypts the code of each custom sender event with them. Cognito encrypts the codes it sends to custom senders with the
// AWS Encryption SDK under that key ("Custom sender Lambda triggers"), so
// a function that decrypts them links the SDK with or without cognitrig.
func init() {
	clientMakers = append(clientMakers, func(cfg aws.Config) any {
		keyARN := os.Getenv("KEY_ARN")
		if keyARN == "" {
			log.Fatal("configuration: set KEY_ARN to the ARN of the user pool's custom sender KMS key")
		}
		mp, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
		if err != nil {
			log.Fatal(err)
		}
		keyring, err := mp.CreateAwsKmsKeyring(context.Background(), mpltypes.CreateAwsKmsKeyringInput{
			KmsClient: kms.NewFromConfig(cfg), KmsKeyId: keyARN,
		})
		if err != nil {
			log.Fatal(err)
		}
		policy := mpltypes.ESDKCommitmentPolicyRequireEncryptAllowDecrypt
		client, err := esdk.NewClient(esdktypes.AwsEncryptionSdkConfig{CommitmentPolicy: &policy})
		if err != nil {
			log.Fatal(err)
		}
		decryptCode = func(ctx context.Context, ciphertext []byte) ([]byte, error) {
			out, err := client.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: ciphertext, Keyring: keyring})
			if err != nil {
				return nil, err
			}
			return out.Plaintext, nil
		}
		return client
	})
}
