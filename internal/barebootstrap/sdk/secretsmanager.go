//go:build !bare_select || bare_secretsmanager

package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func init() {
	clientMakers = append(clientMakers, func(cfg aws.Config) any { return secretsmanager.NewFromConfig(cfg) })
}
