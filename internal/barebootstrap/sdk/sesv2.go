//go:build !bare_select || bare_sesv2

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

func init() {
	clientMakers = append(clientMakers, clientMaker{name: "sesv2", make: func(cfg aws.Config) any {
		c := sesv2.NewFromConfig(cfg)
		if withCalls {
			calls = append(calls, func(ctx context.Context) error {
				_, err := c.SendEmail(ctx, &sesv2.SendEmailInput{})
				return err
			})
		}
		return c
	}})
}
