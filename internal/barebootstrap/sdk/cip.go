//go:build !bare_select || bare_cip

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func init() {
	clientMakers = append(clientMakers, clientMaker{name: "cip", make: func(cfg aws.Config) any {
		c := cip.NewFromConfig(cfg)
		if withCalls {
			calls = append(calls, func(ctx context.Context) error {
				_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("bare"), Username: aws.String("bare")})
				return err
			})
		}
		return c
	}})
}
