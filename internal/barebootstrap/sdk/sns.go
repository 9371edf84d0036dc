//go:build !bare_select || bare_sns

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

func init() {
	clientMakers = append(clientMakers, clientMaker{name: "sns", make: func(cfg aws.Config) any {
		c := sns.NewFromConfig(cfg)
		if withCalls {
			calls = append(calls, func(ctx context.Context) error {
				_, err := c.Publish(ctx, &sns.PublishInput{Message: aws.String("bare")})
				return err
			})
		}
		return c
	}})
}
