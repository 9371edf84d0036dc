package kmssigner_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cognitrig/cognitrig/customauth/magiclink/kmssigner"
	"github.com/cognitrig/cognitrig/internal/awsfake"
)

func Example() {
	// A local server stands in for KMS here. In a Lambda function:
	//
	//	awsCfg, err := config.LoadDefaultConfig(ctx)
	//	client := kms.NewFromConfig(awsCfg)
	fake := awsfake.StartKMS("eu-west-1").AddHMACKey("alias/magic-link")
	defer fake.Close()
	client := kms.New(kms.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(fake.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})

	signer, err := kmssigner.New(kmssigner.Config{Client: client, KeyID: "alias/magic-link"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Pass signer as magiclink.Config.Signer; magiclink signs and checks
	// its tokens like this.
	ctx := context.Background()
	msg := []byte("cognitrig-magiclink-v1.payload")
	mac, err := signer.Sign(ctx, msg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("MAC bytes:", len(mac))

	ok, err := signer.Verify(ctx, msg, mac)
	fmt.Println("genuine:", ok, err)

	ok, err = signer.Verify(ctx, []byte("cognitrig-magiclink-v1.forged"), mac)
	fmt.Println("forged:", ok, err)
	// Output:
	// MAC bytes: 32
	// genuine: true <nil>
	// forged: false <nil>
}
