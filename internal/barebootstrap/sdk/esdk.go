//go:build bare_esdk && (!bare_select || bare_kms)

package main

import (
	"context"
	"log"
	"os"

	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// With bare_esdk (opt-in: the untagged build stays the six service
// clients) the baseline also makes at start what a custom sender function
// written straight against the libraries makes: an AWS Encryption SDK
// client and a KMS keyring for the key in KEY_ARN, on the KMS client.
// Cognito encrypts the codes it sends to custom senders with that SDK
// ("Custom sender Lambda triggers"), so a function that answers those
// triggers links it with or without cognitrig. With bare_calls its call
// is Decrypt, which links the SDK's decryption.
func init() {
	clientMakers = append(clientMakers, clientMaker{name: "esdk", after: func(clients []any) any {
		// The KMS client of kms.go, shared as a function's keyring shares
		// its KMS client.
		var kmsClient *kms.Client
		for _, c := range clients {
			if k, ok := c.(*kms.Client); ok {
				kmsClient = k
			}
		}
		if kmsClient == nil {
			log.Fatal("configuration: BARE_MAKE lists esdk without kms, the client its keyring calls")
		}
		keyARN := os.Getenv("KEY_ARN")
		if keyARN == "" {
			log.Fatal("configuration: set KEY_ARN to the ARN of the user pool's custom sender KMS key")
		}
		mp, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
		if err != nil {
			log.Fatal(err)
		}
		keyring, err := mp.CreateAwsKmsKeyring(context.Background(), mpltypes.CreateAwsKmsKeyringInput{
			KmsClient: kmsClient, KmsKeyId: keyARN,
		})
		if err != nil {
			log.Fatal(err)
		}
		policy := mpltypes.ESDKCommitmentPolicyRequireEncryptAllowDecrypt
		client, err := esdk.NewClient(esdktypes.AwsEncryptionSdkConfig{CommitmentPolicy: &policy})
		if err != nil {
			log.Fatal(err)
		}
		if withCalls {
			calls = append(calls, func(ctx context.Context) error {
				_, err := client.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: []byte("bare"), Keyring: keyring})
				return err
			})
		}
		return client
	}})
}
