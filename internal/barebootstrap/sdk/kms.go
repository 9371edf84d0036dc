//go:build !bare_select || bare_kms

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

func init() {
	clientMakers = append(clientMakers, clientMaker{name: "kms", make: func(cfg aws.Config) any {
		c := kms.NewFromConfig(cfg)
		if withCalls {
			calls = append(calls, func(ctx context.Context) error {
				_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("bare")})
				return err
			})
		}
		return c
	}})
}
