//go:build !bare_select || bare_dynamodb

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func init() {
	clientMakers = append(clientMakers, clientMaker{name: "dynamodb", make: func(cfg aws.Config) any {
		c := dynamodb.NewFromConfig(cfg)
		if withCalls {
			calls = append(calls, func(ctx context.Context) error {
				_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("bare")})
				return err
			})
		}
		return c
	}})
}
