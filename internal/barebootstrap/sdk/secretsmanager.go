//go:build !bare_select || bare_secretsmanager

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func init() {
	clientMakers = append(clientMakers, clientMaker{name: "secretsmanager", make: func(cfg aws.Config) any {
		c := secretsmanager.NewFromConfig(cfg)
		if withCalls {
			calls = append(calls, func(ctx context.Context) error {
				_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("bare")})
				return err
			})
		}
		return c
	}})
}
