//go:build !bare_select || bare_kms

package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

func init() {
	clientMakers = append(clientMakers, func(cfg aws.Config) any { return kms.NewFromConfig(cfg) })
}
